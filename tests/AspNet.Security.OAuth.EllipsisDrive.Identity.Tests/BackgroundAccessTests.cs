namespace AspNet.Security.OAuth.EllipsisDrive.Identity.Tests;

/// <summary>
/// Access for a local user with no request going on (a background job): the typed client's <c>ForUser</c> and the
/// token service's <c>GetAccessTokenForUserAsync</c>, from the app's root services.
/// </summary>
public sealed class BackgroundAccessTests : IdentityTestBase
{
    [Fact]
    public async Task Background_access_for_the_local_user_with_no_request_refreshes_an_expired_token_once()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;
        var connected = await StoredGrantAsync(app, userId);
        ExpireAccessToken();

        var accounts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.Api.ForUser(userId).GetAccountAsync(TestContext.Current.CancellationToken)));
        var token = await app.Tokens.GetAccessTokenForUserAsync(userId, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, TokenRefreshCalls);
        Assert.All(accounts, account => Assert.Equal("alice", account.Username));
        var refreshed = await StoredGrantAsync(app, userId);
        Assert.Equal(IdentityTestApp.Fingerprint(refreshed!.AccessToken!), IdentityTestApp.Fingerprint(token));
        Assert.NotEqual(IdentityTestApp.Fingerprint(connected!.AccessToken!), IdentityTestApp.Fingerprint(token));
    }

    [Fact]
    public async Task Background_access_calls_the_API_with_the_refreshed_token_as_a_Bearer_token()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;
        ExpireAccessToken();

        await app.Api.ForUser(userId).GetAccountAsync(TestContext.Current.CancellationToken);

        var refreshed = await StoredGrantAsync(app, userId);
        Assert.True(AccountCallAuthorizations()[^1] == "Bearer " + refreshed!.AccessToken, "The API call did not carry the refreshed access token.");
    }

    [Fact]
    public async Task Background_access_after_a_restart_uses_the_grant_the_first_instance_stored_and_refreshes_it_once()
    {
        var (first, browser, userId) = await StartConnectedAsync();
        browser.Dispose();

        // Same SQLite file, same key ring: the grant the first instance protected reads back in the second.
        var second = await RestartAsync(first);
        ExpireAccessToken();
        var account = await second.Api.ForUser(userId).GetAccountAsync(TestContext.Current.CancellationToken);
        var token = await second.Tokens.GetAccessTokenForUserAsync(userId, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("alice", account.Username);
        Assert.Equal(1, TokenRefreshCalls);
        var stored = await StoredGrantAsync(second, userId);
        Assert.Equal(IdentityTestApp.Fingerprint(stored!.AccessToken!), IdentityTestApp.Fingerprint(token));
    }

    [Fact]
    public async Task Each_rotation_raises_OnTokensRefreshed_once_with_the_local_user_id_and_the_new_grant()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;

        ExpireAccessToken();
        var firstToken = await app.Tokens.GetAccessTokenForUserAsync(userId, cancellationToken: TestContext.Current.CancellationToken);
        var afterFirst = await StoredGrantAsync(app, userId);
        ExpireAccessToken();
        var secondToken = await app.Tokens.GetAccessTokenForUserAsync(userId, cancellationToken: TestContext.Current.CancellationToken);
        var afterSecond = await StoredGrantAsync(app, userId);

        Assert.Equal(2, TokenRefreshCalls);
        var events = app.TokensRefreshed.ToArray();
        Assert.Equal(2, events.Length);
        Assert.All(events, e => Assert.Equal(userId, e.UserKey));
        Assert.All(events, e => Assert.Null(e.SessionId));
        Assert.Equal(IdentityTestApp.Fingerprint(firstToken), IdentityTestApp.Fingerprint(events[0].Grant.AccessToken!));
        Assert.Equal(IdentityTestApp.Fingerprint(afterFirst!.RefreshToken!), IdentityTestApp.Fingerprint(events[0].Grant.RefreshToken!));
        Assert.Equal(IdentityTestApp.Fingerprint(secondToken), IdentityTestApp.Fingerprint(events[1].Grant.AccessToken!));
        Assert.Equal(IdentityTestApp.Fingerprint(afterSecond!.RefreshToken!), IdentityTestApp.Fingerprint(events[1].Grant.RefreshToken!));
        Assert.NotEqual(IdentityTestApp.Fingerprint(events[0].Grant.RefreshToken!), IdentityTestApp.Fingerprint(events[1].Grant.RefreshToken!));
    }
}
