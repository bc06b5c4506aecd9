using AspNet.Security.OAuth.EllipsisDrive;

namespace WebApp.Models;

/// <summary>What the "My Drive" page shows.</summary>
/// <param name="Root">The root being listed, or that the opened folder was reached from.</param>
/// <param name="Trail">The folders opened from the root down to the one listed; empty for the root itself.</param>
/// <param name="Items">The items on this page.</param>
/// <param name="NextPageStart">Where the next page starts, or <see langword="null"/> on the last page.</param>
/// <param name="IsContinuation">Whether this is not the first page.</param>
/// <param name="Error">A short message when Ellipsis Drive could not list the folder.</param>
public sealed record DriveViewModel(
    string Root,
    IReadOnlyList<EllipsisDrivePathItem> Trail,
    IReadOnlyList<EllipsisDrivePathItem> Items,
    string? NextPageStart,
    bool IsContinuation,
    string? Error)
{
    /// <summary>The names of the roots, as the page shows them.</summary>
    public static readonly IReadOnlyDictionary<string, string> RootTitles = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [EllipsisDriveRootNames.MyDrive] = "My Drive",
        [EllipsisDriveRootNames.SharedWithMe] = "Shared with me",
        [EllipsisDriveRootNames.Favorites] = "Favorites",
    };

    /// <summary>Gets the folder listed, or <see langword="null"/> for the root.</summary>
    public EllipsisDrivePathItem? Folder => Trail.Count == 0 ? null : Trail[^1];

    /// <summary>The <c>via</c> query value of a folder opened from the <paramref name="count"/> first folders of the trail.</summary>
    public string? Via(int count) => count == 0 ? null : string.Join(',', Trail.Take(count).Select(f => f.Id));

    /// <summary>A human name for an item type: folders, and the kinds of layer.</summary>
    public static string TypeName(string? type) => type switch
    {
        "folder" => "Folder",
        "raster" => "Raster layer",
        "vector" => "Vector layer",
        "pointCloud" => "Point cloud layer",
        "file" => "File",
        "bookmark" => "Bookmark",
        _ => type ?? "Unknown",
    };
}
