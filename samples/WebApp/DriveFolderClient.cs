using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using AspNet.Security.OAuth.EllipsisDrive;

namespace WebApp;

/// <summary>
/// The two API calls that opening a folder needs and <see cref="EllipsisDriveApiClient"/> does not offer:
/// <c>GET path/{pathId}</c> (one item, for the breadcrumbs) and <c>GET path/{pathId}/list</c> (a folder's children,
/// as the official Python client calls it). Its <see cref="HttpClient"/> is registered with
/// <c>AddEllipsisDriveAccessToken()</c>, so it sends the signed-in user's access token like the package's client:
/// the way to call any other Ellipsis Drive endpoint from an app.
/// </summary>
public sealed class DriveFolderClient(HttpClient httpClient)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Gets one item (<c>GET path/{pathId}</c>).</summary>
    /// <exception cref="HttpRequestException">The API answered an error status (404: no such item, 403: no access).</exception>
    public async Task<EllipsisDrivePathItem> GetPathAsync(string pathId, CancellationToken cancellationToken)
    {
        var item = await httpClient.GetFromJsonAsync<PathJson>(new Uri("path/" + Uri.EscapeDataString(pathId), UriKind.Relative), Json, cancellationToken);
        return new EllipsisDrivePathItem(item?.Id, item?.Name, item?.Type);
    }

    /// <summary>Lists one page of a folder's children (<c>GET path/{pathId}/list</c>), trashed items excluded.</summary>
    /// <exception cref="HttpRequestException">The API answered an error status.</exception>
    public async Task<EllipsisDrivePage> ListFolderAsync(string pathId, IEnumerable<string> types, int pageSize, string? pageStart, CancellationToken cancellationToken)
    {
        var query = new Dictionary<string, string?>
        {
            ["type"] = JsonSerializer.Serialize(types),
            ["pageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
            ["pageStart"] = pageStart,
        };
        var uri = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("path/" + Uri.EscapeDataString(pathId) + "/list", query.Where(p => p.Value is not null));
        var page = await httpClient.GetFromJsonAsync<ListJson>(new Uri(uri, UriKind.Relative), Json, cancellationToken);
        return new EllipsisDrivePage(
            [.. (page?.Result ?? []).Select(i => new EllipsisDrivePathItem(i.Id, i.Name, i.Type))],
            page?.NextPageStart);
    }

    private sealed record PathJson(string? Id, string? Name, string? Type);

    private sealed record ListJson(List<PathJson>? Result, string? NextPageStart);
}
