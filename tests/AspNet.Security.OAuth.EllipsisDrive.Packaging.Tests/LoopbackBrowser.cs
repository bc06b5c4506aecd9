using System.Net;

namespace AspNet.Security.OAuth.EllipsisDrive.Packaging.Tests;

/// <summary>
/// An <see cref="HttpClient"/> that keeps the app's cookies as a browser does on a loopback address: browsers treat
/// <c>http://127.0.0.1</c> as a secure context and send <c>Secure</c> cookies there, which <see cref="CookieContainer"/>
/// does not. Follows no redirect by itself, so that each hop can be asserted.
/// </summary>
internal sealed class LoopbackBrowser(Uri app) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false });
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task<Uri> GetRedirectAsync(Uri url)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url));
        return Redirect(response);
    }

    public async Task<Uri> PostFormRedirectAsync(Uri url, Dictionary<string, string> form)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) });
        return Redirect(response);
    }

    public async Task<string> GetStringAsync(Uri url)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url));
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            var onApp = request.RequestUri!.Authority == app.Authority;
            if (onApp && _cookies.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(cookie => cookie.Key + "=" + cookie.Value)));
            }

            var response = await _http.SendAsync(request, Ct);
            if (onApp && response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    var pair = setCookie.Split(';', 2)[0];
                    var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                    var deleted = value.Length == 0 || setCookie.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase);
                    if (deleted)
                    {
                        _cookies.Remove(name);
                    }
                    else
                    {
                        _cookies[name] = value;
                    }
                }
            }

            return response;
        }
    }

    private static Uri Redirect(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, not a redirect.");
        return new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location!);
    }
}
