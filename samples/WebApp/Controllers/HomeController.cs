using Microsoft.AspNetCore.Mvc;
using WebApp.Models;

namespace WebApp.Controllers;

/// <summary>The public pages: home, access denied, errors.</summary>
public sealed class HomeController : Controller
{
    /// <summary>The home page with the sign-in button.</summary>
    public IActionResult Index() => View();

    /// <summary>The user pressed Deny at Ellipsis Drive (or was refused access here).</summary>
    public IActionResult AccessDenied() => View();

    /// <summary>A friendly error page: a short message and a correlation id, never a stack trace.</summary>
    [ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
    public IActionResult Error()
    {
        var model = new ErrorViewModel(
            TempData[RemoteFailure.MessageKey] as string ?? "Something went wrong on our side.",
            TempData[RemoteFailure.CorrelationIdKey] as string ?? RemoteFailure.CorrelationId(HttpContext));
        return View(model);
    }

    /// <summary>A plain page for 404 and other error statuses.</summary>
    [Route("/Home/Status/{code:int}")]
    public IActionResult Status(int code) => View(code);
}
