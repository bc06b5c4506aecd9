using System.Security.Claims;
using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WebApp.Models;

namespace WebApp.Controllers;

/// <summary>Sign-in, sign-out and the signed-in user's account page.</summary>
[Authorize]
public sealed class AccountController(SampleMode mode, IEllipsisDriveTokenService tokens, IAntiforgery antiforgery) : Controller
{
    private const string StatusKey = "Account.Status";

    /// <summary>The sign-in page ([Authorize] pages send the browser here).</summary>
    [AllowAnonymous]
    [HttpGet]
    public IActionResult SignIn(string? returnUrl) => View(model: ReturnUrls.Sanitize(Url, returnUrl));

    /// <summary>
    /// Starts the sign-in at Ellipsis Drive; only a local return URL is kept. The antiforgery token is checked here
    /// rather than by the global filter: a form from a tab opened before signing in or out elsewhere carries a token
    /// for the previous user, and the answer to that is the sign-in page again with a fresh button, not a bare 400.
    /// </summary>
    [AllowAnonymous]
    [HttpPost]
    [ActionName(nameof(SignIn))]
    [IgnoreAntiforgeryToken]
    public async Task<IActionResult> SignInPost(string? returnUrl)
    {
        var target = ReturnUrls.Sanitize(Url, returnUrl);
        if (!await antiforgery.IsRequestValidAsync(HttpContext))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Notice"] = "This page was out of date (you signed in or out in another tab since it opened), so nothing was started. Press the button to sign in.";
            return View(nameof(SignIn), target);
        }

        return Challenge(new AuthenticationProperties { RedirectUri = target }, EllipsisDriveDefaults.AuthenticationScheme);
    }

    /// <summary>A link or a typed address to the sign-out URL: ask first (a GET must not sign anyone out).</summary>
    [AllowAnonymous]
    [HttpGet]
    [ActionName(nameof(SignOut))]
    public IActionResult SignOutConfirm() =>
        User.Identity?.IsAuthenticated == true ? View(nameof(SignOut)) : RedirectToAction(nameof(SignedOut));

    /// <summary>
    /// Signs out: the server-side session, and with it the tokens, is removed. Already signed out (a second tab, after
    /// signing out in the first): there is nothing to protect, so the answer is the "signed out" page. Signed in with a
    /// stale form (signed out and in again as someone else elsewhere): the confirmation page, with a fresh token.
    /// </summary>
    [AllowAnonymous]
    [HttpPost]
    [IgnoreAntiforgeryToken]
    public new async Task<IActionResult> SignOut()
    {
        if (User.Identity?.IsAuthenticated != true)
        {
            return RedirectToAction(nameof(SignedOut));
        }

        if (!await antiforgery.IsRequestValidAsync(HttpContext))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Notice"] = "This page was out of date (you signed in or out in another tab since it opened), so you are still signed in.";
            return View(nameof(SignOut));
        }

        // The back/forward cache and the HTTP cache must not show the signed-in pages to the next person at this
        // browser. The pages themselves are no-store (SignedInPages); this also evicts what the browser kept anyway.
        Response.Headers["Clear-Site-Data"] = "\"cache\"";
        return SignOut(new AuthenticationProperties { RedirectUri = Url.Action(nameof(SignedOut)) }, CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>Where sign-out ends: says so, and offers to sign in again.</summary>
    [AllowAnonymous]
    [HttpGet]
    public IActionResult SignedOut() =>
        User.Identity?.IsAuthenticated == true ? RedirectToAction(nameof(Index)) : View();

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

    /// <summary>
    /// Refreshes the access token now, with the refresh token kept on the server. When Ellipsis Drive no longer accepts
    /// the refresh token, the package ends the session and <c>UseEllipsisDriveSignInRequired</c> starts a new sign-in.
    /// </summary>
    [HttpPost]
    public async Task<IActionResult> Refresh(CancellationToken cancellationToken)
    {
        try
        {
            await tokens.RefreshAccessTokenAsync(HttpContext, rejectedAccessToken: null, cancellationToken);
            TempData[StatusKey] = "The access token was refreshed.";
        }
        catch (EllipsisDriveTokenException exception) when (exception.IsTransient)
        {
            TempData[StatusKey] = "Ellipsis Drive did not answer just now, so the token was not refreshed. Try again in a minute.";
        }
        catch (EllipsisDriveTokenException exception)
        {
            TempData[StatusKey] = $"Ellipsis Drive refused the refresh{(exception.StatusCode is { } code ? $" (HTTP {code})" : string.Empty)}. Sign out and in again if it keeps happening.";
        }

        return RedirectToAction(nameof(Index));
    }
}
