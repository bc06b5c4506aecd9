using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// A small typed client for the read-only Ellipsis Drive API calls a web app shows first: the account and the root
/// folders. Register it with <c>services.AddEllipsisDriveApiClient()</c>; it sends the signed-in user's access token.
/// </summary>
public sealed class EllipsisDriveApiClient
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    private readonly HttpClient _httpClient;
    private readonly string? _userKey;

    /// <summary>
    /// Initializes a new <see cref="EllipsisDriveApiClient"/> over an <see cref="HttpClient"/> whose base address is the
    /// API base address and whose handlers attach the access token (as <c>AddEllipsisDriveApiClient</c> configures).
    /// </summary>
    /// <param name="httpClient">The client.</param>
    public EllipsisDriveApiClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _httpClient = httpClient;
    }

    private EllipsisDriveApiClient(HttpClient httpClient, string userKey)
    {
        _httpClient = httpClient;
        _userKey = userKey;
    }

    /// <summary>
    /// Returns a client that calls the API as the user whose grant the token store keeps under <paramref name="userKey"/>,
    /// whether or not a request is going on: for background jobs (<see cref="IEllipsisDriveTokenService.GetAccessTokenForUserAsync"/>).
    /// </summary>
    /// <param name="userKey">The user key of the stored grant.</param>
    /// <returns>A client for that user, over the same <see cref="HttpClient"/>.</returns>
    public EllipsisDriveApiClient ForUser(string userKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(userKey);
        return new EllipsisDriveApiClient(_httpClient, userKey);
    }

    /// <summary>
    /// Gets the signed-in user's account details (<c>GET account</c>).
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account.</returns>
    /// <exception cref="HttpRequestException">The API answered an error status.</exception>
    public async Task<EllipsisDriveAccount> GetAccountAsync(CancellationToken cancellationToken = default)
    {
        using var document = await GetJsonAsync(new Uri("account", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        return new EllipsisDriveAccount(
            EllipsisDriveJson.ReadString(root, "id"),
            EllipsisDriveJson.ReadString(root, "username"),
            EllipsisDriveJson.ReadString(root, "email"),
            EllipsisDriveJson.ReadString(root, "name"),
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty("plan", out var plan) ? EllipsisDriveJson.ReadString(plan, "type") : null);
    }

    /// <summary>
    /// Lists one page of a root folder (<c>GET account/root/{rootName}</c>).
    /// </summary>
    /// <param name="rootName">One of <see cref="EllipsisDriveRootNames"/>: <c>myDrive</c>, <c>sharedWithMe</c>, <c>favorites</c>, <c>trash</c>.</param>
    /// <param name="types">The item types to list (<c>raster</c>, <c>vector</c>, <c>folder</c>, <c>file</c>, <c>pointCloud</c>, <c>bookmark</c>); the API's default when <see langword="null"/>.</param>
    /// <param name="pageSize">The page size (at most 50); the API's default when <see langword="null"/>.</param>
    /// <param name="pageStart">The <see cref="EllipsisDrivePage.NextPageStart"/> of the previous page, or <see langword="null"/> for the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="HttpRequestException">The API answered an error status.</exception>
    public async Task<EllipsisDrivePage> ListRootAsync(
        string rootName, IEnumerable<string>? types = null, int? pageSize = null, string? pageStart = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootName);
        if (pageSize is < 1 or > 50)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "The page size must be between 1 and 50.");
        }

        var query = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["type"] = types is null ? null : JsonSerializer.Serialize(types.ToArray(), EllipsisDriveJsonContext.Default.StringArray),
            ["pageSize"] = pageSize?.ToString(CultureInfo.InvariantCulture),
            ["pageStart"] = string.IsNullOrEmpty(pageStart) ? null : pageStart,
        };

        // QueryHelpers leaves out the parameters whose value is null.
        var path = QueryHelpers.AddQueryString("account/root/" + Uri.EscapeDataString(rootName), query);
        using var document = await GetJsonAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        var items = new List<EllipsisDrivePathItem>();
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in result.EnumerateArray())
            {
                items.Add(new EllipsisDrivePathItem(EllipsisDriveJson.ReadString(item, "id"), EllipsisDriveJson.ReadString(item, "name"), EllipsisDriveJson.ReadString(item, "type")));
            }
        }

        return new EllipsisDrivePage(items, EllipsisDriveJson.ReadString(root, "nextPageStart"));
    }

    private async Task<JsonDocument> GetJsonAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (_userKey is not null)
        {
            request.Options.Set(EllipsisDriveHttpRequestOptions.UserKey, _userKey);
        }

        using var response = await _httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(stream, DocumentOptions, cancellationToken).ConfigureAwait(false);
        }
    }
}
