using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WebApp.Models;

namespace WebApp.Controllers;

/// <summary>
/// "My Drive": the signed-in user's root folders and the folders inside them, fetched through the token-attaching
/// <see cref="HttpClient"/>. A session that can no longer be refreshed ends in a new sign-in (<c>UseEllipsisDriveSignInRequired</c>).
/// </summary>
[Authorize]
public sealed class DriveController(EllipsisDriveApiClient drive, DriveFolderClient folders, IOptions<DriveOptions> options) : Controller
{
    /// <summary>The roots the page offers, in order.</summary>
    public static readonly IReadOnlyList<string> Roots = [EllipsisDriveRootNames.MyDrive, EllipsisDriveRootNames.SharedWithMe, EllipsisDriveRootNames.Favorites];

    /// <summary>How deep the breadcrumbs of an opened folder may go (each ancestor costs one API call).</summary>
    public const int MaxDepth = 8;

    /// <summary>Folders and layers: every item type Ellipsis Drive lists.</summary>
    private static readonly string[] AllTypes = ["folder", "raster", "vector", "pointCloud", "file", "bookmark"];

    /// <summary>One page of one root: <c>myDrive</c>, <c>sharedWithMe</c> or <c>favorites</c>.</summary>
    [HttpGet]
    public async Task<IActionResult> Index(string? root, string? pageStart, CancellationToken cancellationToken)
    {
        root = RootOrDefault(root);
        if (pageStart is not null && !Guid.TryParse(pageStart, out _))
        {
            return BadRequest();
        }

        try
        {
            var page = await drive.ListRootAsync(root, AllTypes, options.Value.PageSize, pageStart, cancellationToken);
            return View(new DriveViewModel(root, [], page.Items, page.NextPageStart, pageStart is not null, null));
        }
        catch (Exception exception) when (Describe(exception) is { } error)
        {
            return View(new DriveViewModel(root, [], [], null, pageStart is not null, error));
        }
    }

    /// <summary>
    /// One page of a folder's children. <paramref name="via"/> lists the folders opened on the way from the root
    /// (comma-separated ids): the API's path object does not document its parent, so the breadcrumbs come from the
    /// way the user took, each name read with <c>GET path/{pathId}</c>.
    /// </summary>
    [HttpGet("/Drive/Folder/{id:guid}")]
    public async Task<IActionResult> Folder(Guid id, string? root, string? via, string? pageStart, CancellationToken cancellationToken)
    {
        root = RootOrDefault(root);
        var ancestors = (via ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (ancestors.Length >= MaxDepth || ancestors.Any(a => !Guid.TryParse(a, out _)) || (pageStart is not null && !Guid.TryParse(pageStart, out _)))
        {
            return BadRequest();
        }

        var folderId = id.ToString("D");
        try
        {
            var trail = await Task.WhenAll(ancestors.Append(folderId).Select(pathId => folders.GetPathAsync(pathId, cancellationToken)));
            var page = await folders.ListFolderAsync(folderId, AllTypes, options.Value.PageSize, pageStart, cancellationToken);
            return View(nameof(Index), new DriveViewModel(root, [.. trail], page.Items, page.NextPageStart, pageStart is not null, null));
        }
        catch (Exception exception) when (Describe(exception) is { } error)
        {
            var unreachable = new EllipsisDrivePathItem(folderId, "Folder", "folder");
            return View(nameof(Index), new DriveViewModel(root, [unreachable], [], null, pageStart is not null, error));
        }
    }

    private static string RootOrDefault(string? root) =>
        Roots.FirstOrDefault(r => string.Equals(r, root, StringComparison.Ordinal)) ?? Roots[0];

    /// <summary>What the page says when Ellipsis Drive did not list the folder; <see langword="null"/> for a bug (the error page).</summary>
    private static string? Describe(Exception exception) => exception switch
    {
        HttpRequestException { StatusCode: System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Forbidden } =>
            "This folder no longer exists, or it is no longer shared with you. Go back to the start of your drive.",
        HttpRequestException { StatusCode: { } status } =>
            $"Ellipsis Drive could not list this folder just now (it answered HTTP {(int)status}). Try again in a minute.",
        HttpRequestException or EllipsisDriveTokenException { IsTransient: true } =>
            "Ellipsis Drive did not answer just now. Try again in a minute.",
        _ => null,
    };
}
