using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace BlazorApp;

/// <summary>Sign-in and sign-out: form POSTs with an antiforgery token, answered with redirects.</summary>
internal static class AccountEndpoints
{
    public const string DefaultReturnUrl = "/account";

    public static void MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Starts the sign-in at Ellipsis Drive; only a local return URL is kept.
        endpoints.MapPost("/account/signin", ([FromForm] string? returnUrl) =>
                TypedResults.Challenge(new AuthenticationProperties { RedirectUri = LocalOrDefault(returnUrl) }, [EllipsisDriveDefaults.AuthenticationScheme]))
            .WithMetadata(new RequireAntiforgeryTokenAttribute());

        // Signs out: the server-side session, and with it the tokens, is removed; a copy of the cookie no longer works.
        endpoints.MapPost("/account/signout", () =>
                TypedResults.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [CookieAuthenticationDefaults.AuthenticationScheme]))
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
    }

    /// <summary>
    /// <paramref name="returnUrl"/> when it is a path of this app, else <see cref="DefaultReturnUrl"/>: not absolute, not
    /// protocol-relative (<c>//host</c>, <c>/\host</c>), no control characters.
    /// </summary>
    public static string LocalOrDefault(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl)
            ? url
            : DefaultReturnUrl;
}
