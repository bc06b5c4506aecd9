using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using WebApp.Models;

namespace WebApp.Controllers;

/// <summary>The public pages: home, access denied, errors.</summary>
public sealed partial class HomeController(ILogger<HomeController> logger) : Controller
{
    /// <summary>The home page with the sign-in button.</summary>
    public IActionResult Index() => View();

    /// <summary>The user pressed Deny at Ellipsis Drive (or was refused access here).</summary>
    public IActionResult AccessDenied() => View();

    /// <summary>
    /// The error page of a failed sign-in (<see cref="RemoteFailure"/>) and of an unhandled exception
    /// (<c>UseExceptionHandler</c>): plain words, a "Sign in again" button, a short correlation id, never a stack trace.
    /// The exception handler re-executes the failed request with its own method, a POST included: the global
    /// antiforgery filter must not refuse this page as well.
    /// </summary>
    [IgnoreAntiforgeryToken]
    [ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
    public IActionResult Error()
    {
        if (HttpContext.Features.Get<IExceptionHandlerPathFeature>() is { } failed)
        {
            var correlationId = RemoteFailure.CorrelationId(HttpContext);
            LogUnhandled(logger, correlationId, failed.Path, failed.Error.GetType().Name);
            return View(new ErrorViewModel(
                "Sorry, something went wrong on our side",
                "The page could not be shown because of an error in this app. Try again in a minute; if it keeps happening, quote the id below.",
                correlationId,
                OfferSignIn: false));
        }

        if (TempData[RemoteFailure.MessageKey] is string message)
        {
            return View(new ErrorViewModel("The sign-in did not complete", message, TempData[RemoteFailure.CorrelationIdKey] as string, OfferSignIn: true));
        }

        // Reloaded, or opened from history: the failure was shown once already.
        return View(new ErrorViewModel(
            "Sorry, that did not work",
            "Something went wrong on our side. Start again from the home page, or sign in again.",
            null,
            OfferSignIn: User.Identity?.IsAuthenticated != true));
    }

    /// <summary>
    /// The page for 400, 404, 405 and every other error status (<c>UseStatusCodePagesWithReExecute</c>). Re-executed
    /// with the method of the request that failed, so it answers every method and is exempt from the global
    /// antiforgery filter: a refused POST would otherwise be refused again, and the browser would show its own page.
    /// </summary>
    [Route("/Home/Status/{code:int}")]
    [IgnoreAntiforgeryToken]
    public IActionResult Status(int code) => View(StatusPage.For(code, User.Identity?.IsAuthenticated == true));

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The error page was shown for an unhandled {ExceptionType} at {Path} (correlation id {CorrelationId}).")]
    private static partial void LogUnhandled(ILogger logger, string correlationId, string path, string exceptionType);
}
