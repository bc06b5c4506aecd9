using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using static AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure.TestHostExtensions;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

/// <summary>The callback's state: every way it can be missing, forged, reused or stale ends as a clean remote failure.</summary>
public class StateTests
{
    [Fact]
    public async Task Replayed_callback_fails_because_the_state_cookie_was_used_up()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var signIn = await host.SignInAsync();
        Assert.Equal(HttpStatusCode.Redirect, signIn.Callback.StatusCode);

        using var replay = await host.Browser.GetAsync(signIn.CallbackUrl);

        var failure = await AssertFailureAfterSignInAsync(host, replay);
        Assert.Contains("was not found", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, host.Emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode));
    }

    [Fact]
    public async Task Expired_state_fails_and_its_cookie_is_deleted()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var authorizationUrl = await host.ChallengeAsync();
        var callbackUrl = await host.Emulator.ConsentAsync(authorizationUrl, cancellationToken: TestContext.Current.CancellationToken);

        host.Time.Advance(TimeSpan.FromMinutes(16));
        using var callback = await host.Browser.GetAsync(callbackUrl);

        var failure = await host.AssertRemoteFailureAsync(callback);
        Assert.Contains("expired", failure.Message, StringComparison.Ordinal);
        Assert.Contains("RemoteAuthenticationTimeout", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.Emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode));
        host.Browser.AssertNoStateCookie();
    }

    [Fact]
    public async Task State_within_the_time_limit_succeeds()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var authorizationUrl = await host.ChallengeAsync();
        var callbackUrl = await host.Emulator.ConsentAsync(authorizationUrl, cancellationToken: TestContext.Current.CancellationToken);

        host.Time.Advance(TimeSpan.FromMinutes(14));
        using var callback = await host.Browser.GetAsync(callbackUrl);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task Tampered_state_cookie_fails_and_is_deleted()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var authorizationUrl = await host.ChallengeAsync();
        var callbackUrl = await host.Emulator.ConsentAsync(authorizationUrl, cancellationToken: TestContext.Current.CancellationToken);
        var stateCookie = StateCookie(host.Browser);
        var tampered = stateCookie.Value[..^4] + (stateCookie.Value.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        host.Browser.SetCookie(stateCookie.Name, tampered, EllipsisDriveDefaults.CallbackPath);

        using var callback = await host.Browser.GetAsync(callbackUrl);

        var failure = await host.AssertRemoteFailureAsync(callback);
        Assert.Contains("could not be read", failure.Message, StringComparison.Ordinal);
        host.Browser.AssertNoStateCookie();
    }

    [Fact]
    public async Task State_cookie_of_another_sign_in_under_this_states_name_is_a_mismatch()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var first = await host.ChallengeAsync();
        var firstCookieValue = StateCookie(host.Browser).Value;
        var second = await host.ChallengeAsync();
        var secondCallback = await host.Emulator.ConsentAsync(second, cancellationToken: TestContext.Current.CancellationToken);

        // Plant the first sign-in's (valid) payload under the name the second state looks up.
        var secondName = EllipsisDriveState.GetCookieName(QueryOf(second)["state"]);
        host.Browser.SetCookie(secondName, firstCookieValue, EllipsisDriveDefaults.CallbackPath);
        Assert.NotEqual(QueryOf(first)["state"], QueryOf(second)["state"]);

        using var callback = await host.Browser.GetAsync(secondCallback);

        var failure = await host.AssertRemoteFailureAsync(callback);
        Assert.Contains("belongs to another sign-in", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_in_another_browser_fails_because_the_state_is_unknown_there()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var authorizationUrl = await host.ChallengeAsync();
        var callbackUrl = await host.Emulator.ConsentAsync(authorizationUrl, cancellationToken: TestContext.Current.CancellationToken);
        var otherBrowser = host.NewBrowser();

        using var callback = await otherBrowser.GetAsync(callbackUrl);

        var failure = await host.AssertRemoteFailureAsync(callback, otherBrowser);
        Assert.Contains("was not found", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.Emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode));
    }

    [Theory]
    [InlineData("code=abc")]
    [InlineData("code=abc&state=")]
    [InlineData("code=abc&state=not-a-state-this-app-issued")]
    [InlineData("code=abc&state=%00%0d%0a%3Cscript%3E")]
    [InlineData("code=abc&state=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("error=access_denied")]
    public async Task Missing_or_forged_state_is_a_clean_remote_failure(string query)
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        await host.ChallengeAsync();

        using var callback = await host.Browser.GetAsync("/signin-ellipsisdrive?" + query);

        await host.AssertRemoteFailureAsync(callback);
        Assert.Equal(0, host.Emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode));
    }

    [Fact]
    public async Task Duplicated_state_is_rejected()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var authorizationUrl = await host.ChallengeAsync();
        var callbackUrl = await host.Emulator.ConsentAsync(authorizationUrl, cancellationToken: TestContext.Current.CancellationToken);
        var state = QueryOf(callbackUrl)["state"];

        using var callback = await host.Browser.GetAsync(callbackUrl + "&state=" + state);

        var failure = await host.AssertRemoteFailureAsync(callback);
        Assert.Contains("no valid 'state'", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("&code=second")]
    public async Task Missing_or_duplicated_code_is_rejected_without_calling_the_token_endpoint(string extra)
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var authorizationUrl = await host.ChallengeAsync();
        var callbackUrl = await host.Emulator.ConsentAsync(authorizationUrl, cancellationToken: TestContext.Current.CancellationToken);
        var query = QueryOf(callbackUrl);
        var url = extra.Length == 0
            ? $"/signin-ellipsisdrive?state={query["state"]}"
            : $"/signin-ellipsisdrive?code={query["code"]}&state={query["state"]}{extra}";

        using var callback = await host.Browser.GetAsync(url);

        var failure = await host.AssertRemoteFailureAsync(callback);
        Assert.Contains("no valid 'code'", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.Emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode));
        host.Browser.AssertNoStateCookie();
    }

    [Fact]
    public async Task Oversized_code_is_rejected_without_calling_the_token_endpoint()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var state = QueryOf(await host.ChallengeAsync())["state"];

        using var callback = await host.Browser.GetAsync($"/signin-ellipsisdrive?code={new string('c', 10_000)}&state={state}");

        await host.AssertRemoteFailureAsync(callback);
        Assert.Equal(0, host.Emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode));
    }

    [Fact]
    public async Task Forged_state_cookies_never_cause_a_server_error()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var state = QueryOf(await host.ChallengeAsync())["state"];
        var name = EllipsisDriveState.GetCookieName(state);

        foreach (var forged in new[] { "x", "%%%", new string('A', 3000), "CfDJ8" + new string('-', 200) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/signin-ellipsisdrive?code=abc&state={state}");
            request.Headers.Add("Cookie", $"{name}={forged}");
            using var response = await host.NewBrowser().SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Equal(4, host.Failures.Count);
        Assert.All(host.Failures, f => Assert.Contains("could not be read", f.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task State_failures_leak_nothing()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var authorizationUrl = await host.ChallengeAsync();
        var callbackUrl = await host.Emulator.ConsentAsync(authorizationUrl, cancellationToken: TestContext.Current.CancellationToken);
        host.Time.Advance(TimeSpan.FromHours(1));

        using var callback = await host.Browser.GetAsync(callbackUrl);

        await host.AssertRemoteFailureAsync(callback);
        host.LeakScanner().AssertNoLeaks();
    }

    private static async Task<Exception> AssertFailureAfterSignInAsync(EllipsisDriveTestHost host, HttpResponseMessage response)
    {
        // The browser stays signed in from the first, successful callback; only the replay must fail.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var failure = Assert.Single(host.Failures);
        Assert.Equal(failure.Message, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return failure;
    }

    private static System.Net.Cookie StateCookie(BrowserClient browser) =>
        Assert.Single(browser.CookiesFor(EllipsisDriveDefaults.CallbackPath), c => c.Name.StartsWith(EllipsisDriveState.CookiePrefix, StringComparison.Ordinal));
}
