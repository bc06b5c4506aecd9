using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The SPA's session endpoints: who is signed in (safe claims only), start a sign-in, end it. Tokens are never answered.
/// </summary>
internal sealed class EllipsisDriveBffUserEndpoints(
    EllipsisDriveBffRequests requests,
    IOptions<EllipsisDriveBffOptions> options,
    IOptions<EllipsisDriveTokenOptions> tokenOptions,
    IOptionsMonitor<EllipsisDriveOptions> handlerOptions)
{
    public const string DefaultReturnUrl = "/";

    public async Task<IResult> UserAsync(HttpContext context)
    {
        if (requests.RefuseForeign(context) is { } refused)
        {
            return refused;
        }

        var result = await context.AuthenticateAsync(CookieScheme).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return requests.Unauthorized(context, "Nobody is signed in.");
        }

        context.Response.Headers.CacheControl = "no-store";
        var claimTypes = options.Value.UserClaimTypes;
        var claims = result.Principal.Claims
            .Where(c => claimTypes.Contains(c.Type))
            .Select(c => new EllipsisDriveBffClaim(c.Type, c.Value))
            .ToList();
        return TypedResults.Json(new EllipsisDriveBffUser(claims), EllipsisDriveBffJsonContext.Default.EllipsisDriveBffUser);
    }

    public IResult Login(HttpContext context)
    {
        var returnUrl = context.Request.Query["returnUrl"];
        var redirectUri = returnUrl.Count == 1 && IsLocalUrl(returnUrl.ToString()) ? returnUrl.ToString() : DefaultReturnUrl;
        return TypedResults.Challenge(new AuthenticationProperties { RedirectUri = redirectUri }, [tokenOptions.Value.Scheme]);
    }

    public async Task<IResult> LogoutAsync(HttpContext context)
    {
        if (requests.RefuseForeign(context) is { } refused)
        {
            return refused;
        }

        // With server-side sessions the cookie handler removes the session, and its tokens with it.
        await context.SignOutAsync(CookieScheme).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.NoContent();
    }

    private string? CookieScheme => tokenOptions.Value.ResolveCookieScheme(handlerOptions);

    /// <summary>
    /// A path of this app (the framework's <see cref="RedirectHttpResult.IsLocalUrl(string?)"/>, the rule of MVC's
    /// <c>IUrlHelper.IsLocalUrl</c>), without its application-relative '~/' form, which a browser does not resolve.
    /// </summary>
    internal static bool IsLocalUrl(string url) => url.StartsWith('/') && RedirectHttpResult.IsLocalUrl(url);
}
