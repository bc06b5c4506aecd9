namespace WebApp.Models;

/// <summary>What the "My Drive" page shows.</summary>
/// <param name="Root">The root being listed.</param>
/// <param name="Items">The items on this page.</param>
/// <param name="NextPageStart">Where the next page starts, or <see langword="null"/> on the last page.</param>
/// <param name="IsContinuation">Whether this is not the first page.</param>
/// <param name="Error">A short message when Ellipsis Drive could not be reached.</param>
public sealed record DriveViewModel(
    string Root,
    IReadOnlyList<AspNet.Security.OAuth.EllipsisDrive.EllipsisDrivePathItem> Items,
    string? NextPageStart,
    bool IsContinuation,
    string? Error)
{
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
