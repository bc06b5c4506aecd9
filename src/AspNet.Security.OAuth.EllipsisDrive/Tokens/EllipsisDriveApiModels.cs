namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The signed-in user's Ellipsis Drive account, as far as the API documents it; fields it did not send are <see langword="null"/>.
/// </summary>
/// <param name="Id">The user's identifier (a UUID).</param>
/// <param name="Username">The user name.</param>
/// <param name="Email">The e-mail address.</param>
/// <param name="Name">The display name.</param>
/// <param name="PlanType">The plan (for example <c>pro</c>).</param>
public sealed record EllipsisDriveAccount(string? Id, string? Username, string? Email, string? Name, string? PlanType);

/// <summary>
/// One item of a folder listing.
/// </summary>
/// <param name="Id">The path identifier (a UUID).</param>
/// <param name="Name">The name.</param>
/// <param name="Type">The type: <c>raster</c>, <c>vector</c>, <c>folder</c>, <c>file</c>, <c>pointCloud</c> or <c>bookmark</c>.</param>
public sealed record EllipsisDrivePathItem(string? Id, string? Name, string? Type);

/// <summary>
/// One page of a folder listing.
/// </summary>
/// <param name="Items">The items of this page.</param>
/// <param name="NextPageStart">Where the next page starts (pass it as <c>pageStart</c>), or <see langword="null"/> on the last page.</param>
public sealed record EllipsisDrivePage(IReadOnlyList<EllipsisDrivePathItem> Items, string? NextPageStart);

/// <summary>
/// The root folders of <see cref="EllipsisDriveApiClient.ListRootAsync"/>.
/// </summary>
public static class EllipsisDriveRootNames
{
    /// <summary>The user's own drive.</summary>
    public const string MyDrive = "myDrive";

    /// <summary>Items others shared with the user.</summary>
    public const string SharedWithMe = "sharedWithMe";

    /// <summary>The user's favorites.</summary>
    public const string Favorites = "favorites";

    /// <summary>The trash.</summary>
    public const string Trash = "trash";
}
