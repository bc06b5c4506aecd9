using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WebApp.Models;

namespace WebApp.Controllers;

/// <summary>"My Drive": the signed-in user's root folders, fetched through the token-attaching <see cref="HttpClient"/>.</summary>
[Authorize]
public sealed class DriveController(EllipsisDriveApiClient drive, IOptions<DriveOptions> options) : Controller
{
    /// <summary>The roots the page offers, in order.</summary>
    public static readonly IReadOnlyList<string> Roots = [EllipsisDriveRootNames.MyDrive, EllipsisDriveRootNames.SharedWithMe, EllipsisDriveRootNames.Favorites];

    /// <summary>Folders and layers: every item type Ellipsis Drive lists.</summary>
    private static readonly string[] AllTypes = ["folder", "raster", "vector", "pointCloud", "file", "bookmark"];

    /// <summary>One page of one root: <c>myDrive</c>, <c>sharedWithMe</c> or <c>favorites</c>.</summary>
    [HttpGet]
    public async Task<IActionResult> Index(string? root, string? pageStart, CancellationToken cancellationToken)
    {
        root = Roots.FirstOrDefault(r => string.Equals(r, root, StringComparison.Ordinal)) ?? Roots[0];
        if (pageStart is not null && !Guid.TryParse(pageStart, out _))
        {
            return BadRequest();
        }

        try
        {
            var page = await drive.ListRootAsync(root, AllTypes, options.Value.PageSize, pageStart, cancellationToken);
            return View(new DriveViewModel(root, page.Items, page.NextPageStart, pageStart is not null, null));
        }
        catch (EllipsisDriveSignInRequiredException)
        {
            // The refresh token is no longer accepted and the session has ended: sign in again, then come back.
            return RedirectToAction(nameof(AccountController.SignIn), "Account", new { returnUrl = Request.Path + Request.QueryString });
        }
        catch (HttpRequestException exception) when (exception.StatusCode is not null)
        {
            return View(new DriveViewModel(root, [], null, pageStart is not null, $"Ellipsis Drive answered HTTP {(int)exception.StatusCode}."));
        }
        catch (EllipsisDriveTokenException exception) when (exception.IsTransient)
        {
            return View(new DriveViewModel(root, [], null, pageStart is not null, "Ellipsis Drive is unavailable, try again later."));
        }
    }
}
