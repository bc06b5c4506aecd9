using System.Text;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// Sends requests to the application below <see cref="HttpClient"/>: straight into <see cref="TestServer"/>'s
/// pipeline, so a hostile query string (invalid %-escapes, raw NULs, 64 KB) and a hostile Cookie header reach
/// the handler exactly as written, without a client normalising them first. Every response is recorded for the
/// leak scan.
/// </summary>
internal sealed class RawCallbackClient
{
    private readonly TestServer _server;
    private readonly List<RawResponse> _responses = [];

    public RawCallbackClient(EllipsisDriveTestHost host)
    {
        _server = (TestServer)host.Services.GetRequiredService<IServer>();
    }

    public IReadOnlyList<RawResponse> Responses
    {
        get
        {
            lock (_responses)
            {
                return [.. _responses];
            }
        }
    }

    /// <summary>Sends one request over https (the state and correlation cookies are Secure) to localhost.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path.</param>
    /// <param name="rawQuery">The query string as it would appear on the wire, without the leading '?'; may be invalid.</param>
    /// <param name="cookieHeader">The Cookie header as it would appear on the wire, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The recorded response.</returns>
    public async Task<RawResponse> SendAsync(string method, string path, string rawQuery, string? cookieHeader, CancellationToken cancellationToken)
    {
        var context = await _server.SendAsync(
            context =>
            {
                var request = context.Request;
                request.Method = method;
                request.Scheme = "https";
                request.Host = new HostString("localhost");
                request.Path = path;
                request.QueryString = rawQuery.Length == 0 ? QueryString.Empty : new QueryString("?" + rawQuery);
                if (cookieHeader is not null)
                {
                    request.Headers.Cookie = cookieHeader;
                }

                if (method == HttpMethods.Post)
                {
                    request.ContentType = "application/x-www-form-urlencoded";
                    request.Body = new MemoryStream(Encoding.UTF8.GetBytes(rawQuery));
                }
            },
            cancellationToken);

        string body;
        using (var reader = new StreamReader(context.Response.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(cancellationToken);
        }

        var headers = context.Response.Headers
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? string.Empty)))
            .ToList();
        var response = new RawResponse(path + (rawQuery.Length == 0 ? string.Empty : "?…"), context.Response.StatusCode, headers, body);
        lock (_responses)
        {
            _responses.Add(response);
        }

        return response;
    }

    /// <summary>One response of the application.</summary>
    /// <param name="Request">The request path (the query is not kept: it may be 64 KB).</param>
    /// <param name="StatusCode">The status code.</param>
    /// <param name="Headers">The response headers, one entry per value.</param>
    /// <param name="Body">The response body.</param>
    internal sealed record RawResponse(string Request, int StatusCode, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
    {
        public string? Location => Headers.FirstOrDefault(h => h.Key.Equals(HeaderNames.Location, StringComparison.OrdinalIgnoreCase)).Value;

        public IEnumerable<SetCookieHeaderValue> SetCookies => SetCookieHeaderValue.ParseList(
            [.. Headers.Where(h => h.Key.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)]);
    }
}
