using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Sessions;

public sealed class ServerSessionTests : TokenTestBase
{
    [Fact]
    public async Task Server_mode_auth_cookie_is_at_most_512_bytes()
    {
        using var serverBrowser = await StartAndSignInAsync(serverMode: true);
        var serverCookie = AuthCookieLength(serverBrowser);
        await DisposeAsync();

        using var cookieBrowser = await StartAndSignInAsync(serverMode: false);
        var cookieModeCookie = AuthCookieLength(cookieBrowser);

        TestContext.Current.SendDiagnosticMessage($"Auth cookie size: server mode {serverCookie} bytes, cookie mode {cookieModeCookie} bytes.");
        TestContext.Current.TestOutputHelper?.WriteLine($"Auth cookie size: server mode {serverCookie} bytes, cookie mode {cookieModeCookie} bytes.");
        Assert.InRange(serverCookie, 1, 512);
        Assert.True(cookieModeCookie > serverCookie);
    }

    [Fact]
    public async Task Sign_out_removes_the_session_so_a_replayed_cookie_is_rejected()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        using var replay = Host.CreateBrowser();
        replay.CopyCookiesFrom(browser);
        Assert.Equal("alice", await replay.GetStringAsync("/test/whoami"));

        await browser.GetStringAsync("/test/signout");

        Assert.Equal("anonymous", await replay.GetStringAsync("/test/whoami"));
    }

    [Fact]
    public async Task A_session_id_lets_a_background_task_get_a_fresh_token_without_a_request()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        var sessionId = await browser.GetStringAsync("/test/session-id");
        var tokens = (IEllipsisDriveTokenService)Host.Services.GetService(typeof(IEllipsisDriveTokenService))!;
        ExpireAccessToken();

        var token = await tokens.GetAccessTokenForSessionAsync(sessionId, null, TestContext.Current.CancellationToken);

        Assert.Equal(TokenTestHost.Fingerprint(token), await browser.GetStringAsync("/test/token"));
        Assert.Equal(1, TokenRefreshCalls);
    }

    [Fact]
    public async Task Cookie_mode_has_no_session_id()
    {
        using var browser = await StartAndSignInAsync(serverMode: false);

        Assert.Equal("none", await browser.GetStringAsync("/test/session-id"));
    }

    private static int AuthCookieLength(BrowserClient browser)
    {
        var cookies = browser.Cookies.GetAllCookies().Where(c => c.Name.StartsWith(".AspNetCore.Cookies", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cookies);
        return cookies.Sum(c => c.Name.Length + 1 + c.Value.Length);
    }
}
