using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WebApp.Models;

namespace WebApp.Controllers;

/// <summary>"My Drive": the signed-in user's root folders, fetched with the user's access token.</summary>
[Authorize]
public sealed class DriveController(DriveClient drive, IOptions<DriveOptions> options) : Controller
{
    /// <summary>One page of one root: <c>myDrive</c>, <c>sharedWithMe</c> or <c>favorites</c>.</summary>
    [HttpGet]
    public async Task<IActionResult> Index(string? root, string? pageStart, CancellationToken cancellationToken)
    {
        root = DriveClient.Roots.FirstOrDefault(r => string.Equals(r, root, StringComparison.Ordinal)) ?? DriveClient.Roots[0];
        if (pageStart is not null && !Guid.TryParse(pageStart, out _))
        {
            return BadRequest();
        }

        try
        {
            var page = await drive.ListRootAsync(root, options.Value.PageSize, pageStart, cancellationToken);
            return View(new DriveViewModel(root, page.Result, page.NextPageStart, pageStart is not null, null));
        }
        catch (DriveApiException exception)
        {
            return View(new DriveViewModel(root, [], null, pageStart is not null, exception.Message));
        }
    }
}
