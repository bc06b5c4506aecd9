using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;

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

    /// <summary>Sends a GET and reads the body as text, whatever the status.</summary>
    /// <param name="url">The URL; a relative one resolves against <see cref="BaseAddress"/>.</param>
    /// <returns>The response body.</returns>
    public async Task<string> GetStringAsync(string url)
    {
        using var response = await GetAsync(url);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Starts a sign-in: GET <paramref name="challengeUrl"/>, an application endpoint that challenges the Ellipsis Drive
    /// scheme, expecting the 302 to the provider.
    /// </summary>
    /// <param name="challengeUrl">The application's challenge endpoint.</param>
    /// <returns>The authorization URL the application redirected to.</returns>
    public async Task<Uri> ChallengeAsync(string challengeUrl)
    {
        using var response = await GetAsync(challengeUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!;
    }

    /// <summary>
    /// Runs a whole sign-in as a browser does: the challenge at <paramref name="challengeUrl"/>, the user's consent at
    /// <paramref name="provider"/> (over real HTTP), then the provider's redirect back to the application's callback, sent
    /// with this browser's cookies. The callback's own redirect (to the return URL) is not followed.
    /// </summary>
    /// <param name="challengeUrl">The application's challenge endpoint.</param>
    /// <param name="provider">The emulator the application signs in against.</param>
    /// <param name="userName">The emulator user who consents.</param>
    /// <param name="allow"><see langword="false"/> to press Deny on the consent page.</param>
    /// <returns>The URLs and the callback's response.</returns>
    public async Task<SignInResult> SignInAsync(string challengeUrl, EllipsisDriveEmulator provider, string userName = "alice", bool allow = true)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var authorizationUrl = await ChallengeAsync(challengeUrl);
        var callbackUrl = await provider.ConsentAsync(authorizationUrl, userName, allow, TestContext.Current.CancellationToken);
        var callback = await GetAsync(callbackUrl);
        return new SignInResult(authorizationUrl, callbackUrl, callback);
    }

    /// <summary>Copies every cookie of <paramref name="other"/> into this browser, as a stolen or shared cookie would travel.</summary>
    /// <param name="other">The browser to copy from.</param>
    public void CopyCookiesFrom(BrowserClient other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (Cookie cookie in other.Cookies.GetAllCookies())
        {
            Cookies.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain) { Secure = cookie.Secure, HttpOnly = cookie.HttpOnly });
        }
    }

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

    /// <summary>The traces of one sign-in.</summary>
    /// <param name="AuthorizationUrl">Where the application sent the browser.</param>
    /// <param name="CallbackUrl">Where the emulator sent the browser back.</param>
    /// <param name="Callback">The application's answer to the callback.</param>
    public sealed record SignInResult(Uri AuthorizationUrl, Uri CallbackUrl, HttpResponseMessage Callback);

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
