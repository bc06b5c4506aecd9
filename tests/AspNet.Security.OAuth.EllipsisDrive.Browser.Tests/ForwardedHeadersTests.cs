using System.Net;
using System.Text.RegularExpressions;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>Behind a TLS-terminating reverse proxy, the callback URL sent to Ellipsis Drive uses the public scheme. No browser needed.</summary>
public sealed partial class ForwardedHeadersTests(SampleAppFixture app) : IClassFixture<SampleAppFixture>
{
    [Fact]
    public async Task X_forwarded_proto_https_from_a_loopback_proxy_makes_the_callback_url_https()
    {
        var location = await ChallengeLocationAsync(forwardedProto: "https");

        Assert.Contains("redirect_uri=" + Uri.EscapeDataString($"https://{app.App.BaseAddress.Authority}/signin-ellipsisdrive"), location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_forwarded_headers_the_callback_url_is_the_requests_own()
    {
        var location = await ChallengeLocationAsync(forwardedProto: null);

        Assert.Contains("redirect_uri=" + Uri.EscapeDataString(app.App.Url("/signin-ellipsisdrive")), location, StringComparison.Ordinal);
    }

    private async Task<string> ChallengeLocationAsync(string? forwardedProto)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = app.App.BaseAddress };

        using var page = new HttpRequestMessage(HttpMethod.Get, "/Account/SignIn");
        AddProxyHeaders(page, forwardedProto);
        using var form = await client.SendAsync(page, cancellationToken);
        var html = await form.Content.ReadAsStringAsync(cancellationToken);
        var antiforgeryToken = AntiforgeryField().Match(html).Groups["token"].Value;
        var cookies = string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));

        using var post = new HttpRequestMessage(HttpMethod.Post, "/Account/SignIn")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(antiforgeryToken)), new("returnUrl", "/Account")]),
        };
        post.Headers.Add("Cookie", cookies);
        AddProxyHeaders(post, forwardedProto);
        using var challenge = await client.SendAsync(post, cancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var location = challenge.Headers.Location!.AbsoluteUri;
        Assert.StartsWith(app.App.Drive.BaseAddress.AbsoluteUri + "oauth/authorize?", location, StringComparison.Ordinal);
        return location;
    }

    private static void AddProxyHeaders(HttpRequestMessage request, string? forwardedProto)
    {
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
