using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// Replays: an authorization code used twice (at the provider, through the handler, and twice at once), a state
/// used twice (the same callback URL with the same cookies), and an auth cookie replayed after sign-out.
/// </summary>
public class HostileReplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Replay_code_redeemed_twice_at_the_emulator_is_invalid_grant()
    {
        await using var app = await HostileApp.StartAsync();
        var challenge = await app.ChallengeAsync(Ct);
        var code = TestHostExtensions.QueryOf(await app.Host.Emulator.ConsentAsync(challenge.AuthorizationUrl, cancellationToken: Ct))["code"];
        var options = HandlerOptions(app);

        var first = await EllipsisDriveTokenClient.RedeemCodeAsync(options, code, EllipsisDriveTestHost.RedirectUri, challenge.Verifier, Ct);
        var second = await Assert.ThrowsAsync<EllipsisDriveTokenException>(() =>
            EllipsisDriveTokenClient.RedeemCodeAsync(options, code, EllipsisDriveTestHost.RedirectUri, challenge.Verifier, Ct));

        Assert.False(string.IsNullOrEmpty(first.AccessToken));
        Assert.Equal(EllipsisDriveTokenErrorKind.InvalidGrant, second.Kind);
        Assert.DoesNotContain(code, second.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(challenge.Verifier, second.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Replay_callback_with_its_cookies_after_a_sign_in_is_rejected()
    {
        await using var app = await HostileApp.StartAsync();
        var (callbackQuery, cookies) = await ConsentedCallbackAsync(app);

        var first = await app.Raw.SendAsync(HttpMethods.Get, EllipsisDriveDefaults.CallbackPath, callbackQuery, cookies, Ct);
        var replay = await app.Raw.SendAsync(HttpMethods.Get, EllipsisDriveDefaults.CallbackPath, callbackQuery, cookies, Ct);

        Assert.Equal(StatusCodes.Status302Found, first.StatusCode);
        Assert.Equal("/me", first.Location);
        Assert.Equal(StatusCodes.Status400BadRequest, replay.StatusCode);
        Assert.Equal(1, app.RemoteFailures);
        Assert.DoesNotContain(replay.SetCookies, c => c.Name == TestHostExtensions.AuthCookieName);
        AssertCleanAndNoLeaks(app);
    }

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Replay_callback_sent_twice_at_once_signs_in_at_most_once()
    {
        await using var app = await HostileApp.StartAsync();
        var (callbackQuery, cookies) = await ConsentedCallbackAsync(app);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            app.Raw.SendAsync(HttpMethods.Get, EllipsisDriveDefaults.CallbackPath, callbackQuery, cookies, Ct)));

        Assert.Single(responses, r => r.StatusCode == StatusCodes.Status302Found);
        Assert.Equal(7, responses.Count(r => r.StatusCode == StatusCodes.Status400BadRequest));
        Assert.Equal(7, app.RemoteFailures);
        AssertCleanAndNoLeaks(app);
    }

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Replay_state_used_twice_after_a_failed_first_callback_is_rejected()
    {
        await using var app = await HostileApp.StartAsync();
        var (callbackQuery, cookies) = await ConsentedCallbackAsync(app);

        // The first use of the state fails before the code is spent (the token endpoint is down for a moment)...
        app.Host.Emulator.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { StatusCode = 503 });
        var first = await app.Raw.SendAsync(HttpMethods.Get, EllipsisDriveDefaults.CallbackPath, callbackQuery, cookies, Ct);
        Assert.Equal(StatusCodes.Status400BadRequest, first.StatusCode);

        // ...and the state cookie was deleted in the browser, so the state is used up: the same request, cookies and
        // all, replayed (by whoever captured them) must not sign anybody in.
        Assert.Contains(first.SetCookies, c => c.Name.Value!.StartsWith(EllipsisDriveState.CookiePrefix, StringComparison.Ordinal) && c.Expires < DateTimeOffset.UtcNow);
        var replay = await app.Raw.SendAsync(HttpMethods.Get, EllipsisDriveDefaults.CallbackPath, callbackQuery, cookies, Ct);

        Assert.Equal(StatusCodes.Status400BadRequest, replay.StatusCode);
        AssertCleanAndNoLeaks(app);
    }

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Replay_auth_cookie_after_sign_out_is_rejected_in_server_mode()
    {
        await using var app = await HostileApp.StartAsync(sessions: true);
        using var browser = app.Host.NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await app.Host.SignInAsync(browser: browser)).Callback.StatusCode);
        var authCookies = browser.Cookies.GetCookieHeader(browser.BaseAddress);
        Assert.Equal("alice", await GetStringAsync(browser, "/hostile/whoami"));
        Assert.Equal("ok", await GetStringAsync(browser, "/hostile/token"));

        Assert.Equal("signed-out", await GetStringAsync(browser, "/hostile/signout"));

        // The old cookie, replayed as it was before the sign-out, finds no session any more.
        var whoami = await app.Raw.SendAsync(HttpMethods.Get, "/hostile/whoami", string.Empty, authCookies, Ct);
        var token = await app.Raw.SendAsync(HttpMethods.Get, "/hostile/token", string.Empty, authCookies, Ct);
        var me = await app.Raw.SendAsync(HttpMethods.Get, "/me", string.Empty, authCookies, Ct);
        Assert.Equal("anonymous", whoami.Body);
        Assert.Equal(StatusCodes.Status401Unauthorized, token.StatusCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, me.StatusCode);

        Assert.Empty(app.UnhandledErrors());
        var leaks = app.ScanForLeaks([.. browser.Responses.Select(r => ($"browser {r.RequestUri.AbsolutePath}", r.Body))]);
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
        Assert.NotEmpty(app.Cache.Written); // the session really lived in the cache the scan read
    }

    private static async Task<(string Query, string Cookies)> ConsentedCallbackAsync(HostileApp app)
    {
        var challenge = await app.ChallengeAsync(Ct);
        var callbackUrl = await app.Host.Emulator.ConsentAsync(challenge.AuthorizationUrl, cancellationToken: Ct);
        Assert.StartsWith(EllipsisDriveTestHost.RedirectUri + "?", callbackUrl.AbsoluteUri, StringComparison.Ordinal);
        return (callbackUrl.Query.TrimStart('?'), challenge.CookieHeader);
    }

    private static EllipsisDriveOptions HandlerOptions(HostileApp app) =>
        app.Host.Services.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>().Get(EllipsisDriveDefaults.AuthenticationScheme);

    private static async Task<string> GetStringAsync(BrowserClient browser, string path)
    {
        using var response = await browser.GetAsync(path);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private static void AssertCleanAndNoLeaks(HostileApp app)
    {
        Assert.Empty(app.UnhandledErrors());
        var leaks = app.ScanForLeaks();
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }
}
