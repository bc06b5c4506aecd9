using System.Security.Claims;
using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WebApp.Models;

namespace WebApp.Controllers;

/// <summary>Sign-in, sign-out and the signed-in user's account page.</summary>
[Authorize]
public sealed class AccountController(SampleMode mode) : Controller
{
    /// <summary>The sign-in page ([Authorize] pages send the browser here).</summary>
    [AllowAnonymous]
    [HttpGet]
    public IActionResult SignIn(string? returnUrl) => View(model: ReturnUrls.Sanitize(Url, returnUrl));

    /// <summary>Starts the sign-in at Ellipsis Drive; only a local return URL is kept.</summary>
    [AllowAnonymous]
    [HttpPost]
    [ActionName(nameof(SignIn))]
    public IActionResult SignInPost(string? returnUrl) =>
        Challenge(new AuthenticationProperties { RedirectUri = ReturnUrls.Sanitize(Url, returnUrl) }, EllipsisDriveDefaults.AuthenticationScheme);

    /// <summary>Signs out: the server-side session, and with it the tokens, is removed.</summary>
    [AllowAnonymous]
    [HttpPost]
    public new IActionResult SignOut() =>
        SignOut(new AuthenticationProperties { RedirectUri = "/" }, CookieAuthenticationDefaults.AuthenticationScheme);

    /// <summary>The account page: who is signed in, and the state of the tokens (never their values).</summary>
    [HttpGet]
    public async Task<IActionResult> Index()
    {
        var result = await HttpContext.AuthenticateAsync();
        var properties = result.Properties;
        var model = new AccountViewModel(
            Name: User.FindFirstValue(EllipsisDriveClaimTypes.DisplayName) ?? User.Identity?.Name ?? "(unknown)",
            Username: User.FindFirstValue(EllipsisDriveClaimTypes.Username) ?? User.Identity?.Name,
            Id: User.FindFirstValue(ClaimTypes.NameIdentifier),
            Email: User.FindFirstValue(ClaimTypes.Email),
            Plan: User.FindFirstValue(EllipsisDriveClaimTypes.Plan),
            ExpiresAt: ParseTime(properties?.GetTokenValue("expires_at")),
            RefreshedAt: null,
            HasRefreshToken: !string.IsNullOrEmpty(properties?.GetTokenValue("refresh_token")),
            Mode: mode.SessionStore,
            Status: TempData["Account.Status"] as string);
        return View(model);
    }

    private static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var time)
            ? time
            : null;
}
