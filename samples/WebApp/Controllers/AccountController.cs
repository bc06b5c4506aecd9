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
public sealed class AccountController(SampleMode mode, IEllipsisDriveTokenService tokens) : Controller
{
    private const string StatusKey = "Account.Status";

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
        var model = new AccountViewModel(
            Name: User.FindFirstValue(EllipsisDriveClaimTypes.DisplayName) ?? User.Identity?.Name ?? "(unknown)",
            Username: User.FindFirstValue(EllipsisDriveClaimTypes.Username) ?? User.Identity?.Name,
            Id: User.FindFirstValue(ClaimTypes.NameIdentifier),
            Email: User.FindFirstValue(ClaimTypes.Email),
            Plan: User.FindFirstValue(EllipsisDriveClaimTypes.Plan),
            Tokens: TokenStatus.From(result.Properties),
            Mode: mode.SessionStore,
            Status: TempData[StatusKey] as string);
        return View(model);
    }

    /// <summary>Refreshes the access token now, with the refresh token kept on the server.</summary>
    [HttpPost]
    public async Task<IActionResult> Refresh(CancellationToken cancellationToken)
    {
        try
        {
            await tokens.RefreshAccessTokenAsync(HttpContext, rejectedAccessToken: null, cancellationToken);
            TempData[StatusKey] = "The access token was refreshed.";
        }
        catch (EllipsisDriveSignInRequiredException)
        {
            // Ellipsis Drive no longer accepts the refresh token: the package has ended the session.
            return RedirectToAction(nameof(SignIn), new { returnUrl = Url.Action(nameof(Index)) });
        }
        catch (EllipsisDriveTokenException exception)
        {
            // The package's messages carry the status and Ellipsis Drive's own message, never a token.
            TempData[StatusKey] = (exception.IsTransient ? "Ellipsis Drive is unavailable, try again later: " : "The refresh failed: ") + exception.Message;
        }

        return RedirectToAction(nameof(Index));
    }
}
