using System.Globalization;
using System.Net;
using System.Text.Json.Serialization;
using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.Extensions.Options;

namespace WebApp;

/// <summary>
/// A typed client for the read-only part of the Ellipsis Drive API the sample shows. It never sees a token:
/// the <see cref="HttpClient"/> it gets attaches the signed-in user's access token (and refreshes it when needed).
/// </summary>
public sealed class DriveClient(HttpClient httpClient, IOptionsMonitor<EllipsisDriveOptions> options)
{
    /// <summary>The roots a user can list.</summary>
    public static readonly IReadOnlyList<string> Roots = ["myDrive", "sharedWithMe", "favorites"];

    private const string AllTypes = """["folder","raster","vector","file","pointCloud","bookmark"]""";

    /// <summary>Lists one page of a root folder: folders, layers (raster, vector, point cloud), files and bookmarks.</summary>
    /// <exception cref="DriveApiException">Ellipsis Drive answered with an error status.</exception>
    public async Task<DrivePage> ListRootAsync(string rootName, int pageSize, string? pageStart, CancellationToken cancellationToken)
    {
        var query = string.Create(
            CultureInfo.InvariantCulture,
            $"account/root/{Uri.EscapeDataString(rootName)}?type={Uri.EscapeDataString(AllTypes)}&pageSize={pageSize}");
        if (!string.IsNullOrEmpty(pageStart))
        {
            query += "&pageStart=" + Uri.EscapeDataString(pageStart);
        }

        using var response = await httpClient.GetAsync(new Uri(BaseAddress, query), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new DriveApiException(response.StatusCode);
        }

        return await response.Content.ReadFromJsonAsync<DrivePage>(cancellationToken)
            ?? throw new DriveApiException(response.StatusCode);
    }

    private Uri BaseAddress => options.Get(EllipsisDriveDefaults.AuthenticationScheme).BaseAddress;
}

/// <summary>One page of a root folder.</summary>
/// <param name="Result">The items on this page.</param>
/// <param name="NextPageStart">Where the next page starts, or <see langword="null"/> on the last page.</param>
public sealed record DrivePage(
    [property: JsonPropertyName("result")] IReadOnlyList<DriveItem> Result,
    [property: JsonPropertyName("nextPageStart")] string? NextPageStart);

/// <summary>An item (a path) in Ellipsis Drive.</summary>
/// <param name="Id">The path id.</param>
/// <param name="Name">The name.</param>
/// <param name="Type">One of <c>folder</c>, <c>raster</c>, <c>vector</c>, <c>pointCloud</c>, <c>file</c>, <c>bookmark</c>.</param>
/// <param name="User">The owner.</param>
public sealed record DriveItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("user")] DriveUser? User)
{
    /// <summary>Gets a value indicating whether the item is a folder rather than a layer or file.</summary>
    public bool IsFolder => Type == "folder";

    /// <summary>Gets a human name for the item's type.</summary>
    public string TypeName => Type switch
    {
        "folder" => "Folder",
        "raster" => "Raster layer",
        "vector" => "Vector layer",
        "pointCloud" => "Point cloud layer",
        "file" => "File",
        "bookmark" => "Bookmark",
        _ => Type,
    };
}

/// <summary>The owner of an item.</summary>
/// <param name="Id">The user id.</param>
/// <param name="Username">The user name.</param>
public sealed record DriveUser(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("username")] string Username);

/// <summary>Ellipsis Drive answered a listing with an error status.</summary>
public sealed class DriveApiException : Exception
{
    /// <summary>Initializes a new <see cref="DriveApiException"/>.</summary>
    public DriveApiException()
    {
    }

    /// <summary>Initializes a new <see cref="DriveApiException"/>.</summary>
    public DriveApiException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new <see cref="DriveApiException"/>.</summary>
    public DriveApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new <see cref="DriveApiException"/> for an HTTP status.</summary>
    public DriveApiException(HttpStatusCode statusCode)
        : base($"Ellipsis Drive answered HTTP {(int)statusCode} ({statusCode}).")
    {
        StatusCode = statusCode;
    }

    /// <summary>Gets the HTTP status Ellipsis Drive answered.</summary>
    public HttpStatusCode? StatusCode { get; }
}
