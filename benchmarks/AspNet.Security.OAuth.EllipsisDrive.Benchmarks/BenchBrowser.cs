using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Testing;
using Microsoft.AspNetCore.TestHost;

namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

/// <summary>
/// A browser stand-in on a <see cref="TestServer"/>: keeps cookies (Secure ones too: the origin is https), never
/// follows redirects.
/// </summary>
internal sealed class BenchBrowser : IDisposable
{
    private readonly HttpClient _client;

    public BenchBrowser(TestServer server)
    {
        _client = new HttpClient(new CookieJarHandler(Cookies) { InnerHandler = server.CreateHandler() }) { BaseAddress = BenchApp.Origin };
    }

    public CookieContainer Cookies { get; } = new();

    public Task<HttpResponseMessage> GetAsync(Uri url, CancellationToken cancellationToken = default) => _client.GetAsync(url, cancellationToken);

    public Task<HttpResponseMessage> GetAsync(string url, CancellationToken cancellationToken = default) => _client.GetAsync(new Uri(BenchApp.Origin, url), cancellationToken);

    /// <summary>The Cookie header this browser sends to <paramref name="path"/>.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The header value.</returns>
    public string CookieHeader(string path) => Cookies.GetCookieHeader(new Uri(BenchApp.Origin, path));

    /// <summary>The size of the auth cookie (all its chunks): the bytes of <c>name=value</c> a browser sends back.</summary>
    /// <returns>The size in bytes.</returns>
    public int AuthCookieBytes() => AuthCookies().Sum(c => c.Name.Length + 1 + c.Value.Length);

    /// <summary>The number of chunks the auth cookie is split into.</summary>
    /// <returns>The number of chunks.</returns>
    public int AuthCookieChunks() => AuthCookies().Count();

    private IEnumerable<Cookie> AuthCookies() =>
        Cookies.GetCookies(BenchApp.Origin).Where(c => c.Name.StartsWith(".AspNetCore.Cookies", StringComparison.Ordinal));

    public void Dispose() => _client.Dispose();
}
