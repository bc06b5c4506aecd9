using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Shapes one forwarded call on top of YARP's default transform (which already drops hop-by-hop headers): the exact API
/// URL, only the request headers the API needs plus the user's access token, and only the response headers the
/// browser needs. A 401 from the API is held back (no status, header or body reaches the browser) when the proxy can
/// refresh the token and send the request again.
/// </summary>
internal sealed class EllipsisDriveApiTransformer(Uri target, string accessToken, bool holdBack401, string scheme) : HttpTransformer
{
    // What a browser call to a JSON API needs to send. Cookie, Authorization, Origin, Referer, Sec-Fetch-*, the CSRF header,
    // X-Forwarded-* and anything else the browser or a page adds stay here.
    private static readonly HashSet<string> ForwardedRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Accept", "Accept-Encoding", "Accept-Language", "Content-Type", "Content-Length", "Content-Encoding", "Content-Language",
        "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range", "Range",
    };

    // What the browser needs back. Set-Cookie, WWW-Authenticate, Authentication-Info, Access-Control-*, Location, Alt-Svc,
    // Strict-Transport-Security and the API's own Server/X-* headers stay here.
    private static readonly HashSet<string> ForwardedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Disposition", "Content-Range",
        "Accept-Ranges", "ETag", "Last-Modified", "Vary", "Retry-After", "Date", "Expires",
    };

    /// <summary>Gets whether the API answered 401 and the answer was held back, so that the caller may retry.</summary>
    public bool HeldBack401 { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);

        foreach (var name in proxyRequest.Headers.Select(h => h.Key).Where(n => !ForwardedRequestHeaders.Contains(n)).ToList())
        {
            proxyRequest.Headers.Remove(name);
        }

        if (proxyRequest.Content is { } content)
        {
            foreach (var name in content.Headers.Select(h => h.Key).Where(n => !ForwardedRequestHeaders.Contains(n)).ToList())
            {
                content.Headers.Remove(name);
            }
        }

        proxyRequest.RequestUri = target;
        proxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is { StatusCode: HttpStatusCode.Unauthorized } && holdBack401)
        {
            HeldBack401 = true;
            return false;
        }

        if (proxyResponse is not null)
        {
            foreach (var name in proxyResponse.Headers.Select(h => h.Key).Where(n => !ForwardedResponseHeaders.Contains(n)).ToList())
            {
                proxyResponse.Headers.Remove(name);
            }

            foreach (var name in proxyResponse.Content.Headers.Select(h => h.Key).Where(n => !ForwardedResponseHeaders.Contains(n)).ToList())
            {
                proxyResponse.Content.Headers.Remove(name);
            }
        }

        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);

        var response = httpContext.Response;
        if (proxyResponse is not null)
        {
            // Per-user data: no shared cache may keep it, and no browser may sniff it into something else.
            response.Headers.CacheControl = "no-store";
            response.Headers.XContentTypeOptions = "nosniff";
            if (proxyResponse.StatusCode == HttpStatusCode.Unauthorized)
            {
                // The API's Bearer challenge is not the browser's business; the app's own challenge is (RFC 9110 wants one on a 401).
                EllipsisDriveApiRequests.SetUnauthorized(response, scheme);
            }
        }

        return copyBody;
    }
}
