using System.Net;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;

/// <summary>
/// A browser stand-in for a <see cref="Microsoft.AspNetCore.TestHost.TestServer"/>: keeps cookies (honouring
/// their path, expiry and <c>Secure</c> flag), never follows redirects, and records every response the
/// application sent so a <see cref="LeakScanner"/> can read them afterwards.
/// </summary>
public sealed class BrowserClient : IDisposable
{
    private readonly HttpClient _client;
    private readonly RecordingCookieHandler _handler;

    internal BrowserClient(HttpMessageHandler serverHandler, Uri baseAddress)
    {
        _handler = new RecordingCookieHandler(Cookies) { InnerHandler = serverHandler };
        _client = new HttpClient(_handler) { BaseAddress = baseAddress };
    }

    /// <summary>Gets the cookies the application set, as a browser would keep them.</summary>
    public CookieContainer Cookies { get; } = new();

    /// <summary>Gets every exchange with the application, in order.</summary>
    public IReadOnlyList<RecordedResponse> Responses => _handler.Snapshot();

    /// <summary>Gets the application's base address (<c>https://localhost/</c>: the correlation and state cookies are Secure).</summary>
    public Uri BaseAddress => _client.BaseAddress!;

    /// <summary>Sends a GET; a relative <paramref name="url"/> resolves against <see cref="BaseAddress"/>.</summary>
    public Task<HttpResponseMessage> GetAsync(string url) => _client.GetAsync(url, TestContext.Current.CancellationToken);

    /// <summary>Sends a GET to an absolute URL of the application (for example the provider's redirect to the callback).</summary>
    public Task<HttpResponseMessage> GetAsync(Uri url) => _client.GetAsync(url, TestContext.Current.CancellationToken);

    /// <summary>Sends a request as is.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _client.SendAsync(request, TestContext.Current.CancellationToken);

    /// <summary>Gets the cookies the browser would send to <paramref name="path"/>.</summary>
    public IReadOnlyList<Cookie> CookiesFor(string path) => [.. Cookies.GetCookies(new Uri(BaseAddress, path)).Cast<Cookie>()];

    /// <summary>Sets (or overwrites) a cookie as an attacker with access to the browser could.</summary>
    /// <param name="name">The cookie name.</param>
    /// <param name="value">The cookie value.</param>
    /// <param name="path">The cookie path.</param>
    public void SetCookie(string name, string value, string path) =>
        Cookies.Add(BaseAddress, new Cookie(name, value, path) { Secure = true, HttpOnly = true });

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    /// <summary>One response of the application, with its body read as text.</summary>
    /// <param name="RequestUri">The request's URL.</param>
    /// <param name="StatusCode">The response status.</param>
    /// <param name="Headers">The response and content headers, one entry per value.</param>
    /// <param name="Body">The response body.</param>
    public sealed record RecordedResponse(Uri RequestUri, HttpStatusCode StatusCode, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body);

    private sealed class RecordingCookieHandler(CookieContainer cookies) : DelegatingHandler
    {
        private readonly List<RecordedResponse> _responses = [];

        public IReadOnlyList<RecordedResponse> Snapshot()
        {
            lock (_responses)
            {
                return [.. _responses];
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var header = cookies.GetCookieHeader(uri);
            if (header.Length > 0 && !request.Headers.Contains("Cookie"))
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    cookies.SetCookies(uri, setCookie);
                }
            }

            // Buffered, so the test can still read the body after the recorder has.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var headers = response.Headers.Concat(response.Content.Headers)
                .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)))
                .ToList();
            lock (_responses)
            {
                _responses.Add(new RecordedResponse(uri, response.StatusCode, headers, body));
            }

            return response;
        }
    }
}
