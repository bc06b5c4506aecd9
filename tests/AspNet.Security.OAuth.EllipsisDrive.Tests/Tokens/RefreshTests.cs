using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

public sealed class RefreshTests : TokenTestBase
{
    [Fact]
    public async Task Refresh_happens_59_seconds_before_expiry_with_the_default_60_second_skew()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        var signedIn = await browser.GetStringAsync("/test/token");

        Time.Advance(AccessTokenLifetime - TimeSpan.FromSeconds(59));
        var refreshed = await browser.GetStringAsync("/test/token");

        Assert.Equal(1, TokenRefreshCalls);
        Assert.NotEqual(signedIn, refreshed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Refresh_records_when_it_happened_as_the_refreshed_at_token(bool serverMode)
    {
        using var browser = await StartAndSignInAsync(serverMode);
        Assert.Equal("never", await browser.GetStringAsync("/test/refreshed-at"));

        Time.Advance(AccessTokenLifetime + TimeSpan.FromMinutes(1));
        var refreshedAt = Time.GetUtcNow();
        await browser.GetStringAsync("/test/token");

        Assert.Equal(1, TokenRefreshCalls);
        Assert.Equal(refreshedAt, DateTimeOffset.Parse(await browser.GetStringAsync("/test/refreshed-at"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task No_refresh_61_seconds_before_expiry_with_the_default_60_second_skew()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        var signedIn = await browser.GetStringAsync("/test/token");

        Time.Advance(AccessTokenLifetime - TimeSpan.FromSeconds(61));
        var later = await browser.GetStringAsync("/test/token");

        Assert.Equal(0, TokenRefreshCalls);
        Assert.Equal(signedIn, later);
    }

    [Fact]
    public async Task No_proactive_refresh_when_the_expiry_is_unknown()
    {
        using var browser = await StartAndSignInAsync(serverMode: true, emulator: o => o.AccessTokenLifetime = null);
        var signedIn = await browser.GetStringAsync("/test/token");

        Time.Advance(TimeSpan.FromDays(2));

        Assert.Equal(signedIn, await browser.GetStringAsync("/test/token"));
        Assert.Equal(0, TokenRefreshCalls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Refresh_single_flight_100_parallel_requests_with_an_expired_token_make_one_token_call(bool serverMode)
    {
        using var browser = await StartAndSignInAsync(serverMode);
        var signedIn = await browser.GetStringAsync("/test/token");
        ExpireAccessToken();

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
        {
            using var response = await browser.GetAsync("/test/token");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }));

        Assert.Equal(1, TokenRefreshCalls);
        Assert.Single(answers.Distinct());
        Assert.NotEqual(signedIn, answers[0]);
    }

    [Fact]
    public async Task Refresh_rotation_a_late_request_with_the_old_refresh_token_gets_the_successor_tokens()
    {
        // Cookie mode: a copy of the cookie taken before the refresh still carries the old (now revoked) refresh token.
        using var browser = await StartAndSignInAsync(serverMode: false, emulator: o => o.RotateRefreshTokens = true);
        using var late = Host.CreateBrowser();
        late.CopyCookiesFrom(browser);
        ExpireAccessToken();

        var refreshed = await browser.GetStringAsync("/test/token");
        var fromLateRequest = await late.GetStringAsync("/test/token");

        Assert.Equal(refreshed, fromLateRequest);
        Assert.Equal(1, TokenRefreshCalls);
    }

    [Fact]
    public async Task Refresh_rotation_the_new_refresh_token_replaces_the_old_one()
    {
        var (first, second) = await RefreshTwiceAsync(rotateRefreshTokens: true);

        // The emulator revoked the first refresh token, so the second refresh only succeeds with the rotated one.
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Refresh_without_rotation_keeps_the_old_refresh_token()
    {
        var (first, second) = await RefreshTwiceAsync(rotateRefreshTokens: false);

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Refresh_invalid_grant_ends_the_session_raises_the_event_and_does_not_loop(bool serverMode)
    {
        using var browser = await StartAndSignInAsync(serverMode);
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault
        {
            StatusCode = 400,
            Body = """{"error":"invalid_grant","error_description":"The refresh token was revoked."}""",
        });

        using var failed = await browser.GetAsync("/test/token");
        var afterwards = await browser.GetStringAsync("/test/whoami");
        using var again = await browser.GetAsync("/test/token");

        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        Assert.Equal(1, Host.RefreshFailedEvents);
        Assert.Equal("anonymous", afterwards);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Equal(1, TokenRefreshCalls);
    }

    [Fact]
    public async Task Refresh_invalid_grant_with_SignOut_false_keeps_the_user_but_clears_the_tokens()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        Host.SignOutOnRefreshFailure = false;
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 400, Body = """{"error":"invalid_grant"}""" });

        using var failed = await browser.GetAsync("/test/token");
        using var again = await browser.GetAsync("/test/token");

        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        Assert.Equal("alice", await browser.GetStringAsync("/test/whoami"));
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Equal(1, TokenRefreshCalls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Refresh_transient_failure_gives_a_typed_exception_and_keeps_the_session(bool serverMode)
    {
        using var browser = await StartAndSignInAsync(serverMode);
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 503, Body = """{"message":"maintenance"}""" });

        using var failed = await browser.GetAsync("/test/token");
        var body = await failed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var user = await browser.GetStringAsync("/test/whoami");
        using var retried = await browser.GetAsync("/test/token");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.StartsWith("token-error transient=True", body, StringComparison.Ordinal);
        Assert.Equal("alice", user);
        Assert.Equal(0, Host.RefreshFailedEvents);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(2, TokenRefreshCalls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Refresh_ahead_of_expiry_that_fails_transiently_serves_the_still_valid_token(bool serverMode)
    {
        using var browser = await StartAndSignInAsync(serverMode);
        var signedIn = await browser.GetStringAsync("/test/token");
        Time.Advance(AccessTokenLifetime - TimeSpan.FromSeconds(30));
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 503, Body = """{"message":"maintenance"}""" });

        using var during = await browser.GetAsync("/test/token");
        var later = await browser.GetStringAsync("/test/token");

        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.Equal(signedIn, await during.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.NotEqual(signedIn, later);
        Assert.Equal(2, TokenRefreshCalls);
        Assert.Equal(0, Host.RefreshFailedEvents);
    }

    [Fact]
    public async Task Refresh_cookie_mode_after_the_response_started_keeps_the_result_for_the_next_request()
    {
        using var browser = await StartAndSignInAsync(serverMode: false, emulator: o => o.RotateRefreshTokens = true);
        ExpireAccessToken();

        var started = await browser.GetStringAsync("/test/token-after-body");
        var next = await browser.GetStringAsync("/test/token");

        Assert.Equal("started;" + next, started);
        Assert.Equal(1, TokenRefreshCalls);
        Assert.Contains(Host.Logs.GetSnapshot(), r => r.Id.Id == 1002);
    }

    [Fact]
    public async Task Refresh_started_by_a_request_that_gave_up_still_completes_and_is_saved()
    {
        using var browser = await StartAndSignInAsync(serverMode: true, emulator: o => o.RotateRefreshTokens = true);
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { Delay = TimeSpan.FromMilliseconds(400) });

        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        using var server = Host.Server.CreateClient();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/test/token");
            request.Headers.Add("Cookie", browser.Cookies.GetCookieHeader(Host.Server.BaseAddress));
            using var response = await server.SendAsync(request, impatient.Token);
        });

        using var next = await browser.GetAsync("/test/token");
        ExpireAccessToken();
        using var afterNextExpiry = await browser.GetAsync("/test/token");

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        // The second refresh only succeeds with the rotated refresh token the abandoned refresh saved.
        Assert.Equal(HttpStatusCode.OK, afterNextExpiry.StatusCode);
        Assert.Equal(2, TokenRefreshCalls);
    }

    /// <summary>
    /// Signs in (server mode), lets the access token expire twice, and answers the refresh token each of the two
    /// refreshes sent; the second refresh must have succeeded.
    /// </summary>
    private async Task<(string First, string Second)> RefreshTwiceAsync(bool rotateRefreshTokens)
    {
        using var browser = await StartAndSignInAsync(serverMode: true, emulator: o => o.RotateRefreshTokens = rotateRefreshTokens);
        ExpireAccessToken();
        await browser.GetStringAsync("/test/token");
        ExpireAccessToken();

        using var second = await browser.GetAsync("/test/token");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var refreshes = Drive.Requests.Where(r => r.Endpoint == EmulatorEndpoint.TokenRefresh).ToList();
        Assert.Equal(2, refreshes.Count);
        return (refreshes[0].Parameters["refresh_token"], refreshes[1].Parameters["refresh_token"]);
    }
}
