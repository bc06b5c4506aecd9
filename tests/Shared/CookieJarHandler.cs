using System.Net;

namespace AspNet.Security.OAuth.EllipsisDrive.Testing;

/// <summary>
/// Keeps cookies like a browser for an <see cref="HttpClient"/> into a test server: sends the <c>Cookie</c> header from
/// <paramref name="cookies"/> and stores every <c>Set-Cookie</c> of the answer in it. Linked by the benchmarks (the
/// integration tests use their recording <c>BrowserClient</c>).
/// </summary>
/// <param name="cookies">The cookie jar.</param>
internal sealed class CookieJarHandler(CookieContainer cookies) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var header = cookies.GetCookieHeader(request.RequestUri!);
        if (header.Length > 0)
        {
            request.Headers.Add("Cookie", header);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                cookies.SetCookies(request.RequestUri!, setCookie);
            }
        }

        return response;
    }
}
