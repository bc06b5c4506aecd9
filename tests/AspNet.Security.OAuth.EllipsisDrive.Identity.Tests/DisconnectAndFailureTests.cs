using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;

namespace AspNet.Security.OAuth.EllipsisDrive.Identity.Tests;

public sealed class DisconnectAndFailureTests : IdentityTestBase
{
    private static readonly EmulatorFault RevokedRefreshToken = new()
    {
        StatusCode = 400,
        Body = """{"error":"invalid_grant","error_description":"The refresh token was revoked."}""",
    };

    [Fact]
    public async Task Disconnect_removes_the_grant_and_then_background_access_throws_sign_in_required()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;

        Assert.Equal("disconnected", await browser.GetStringAsync("/disconnect"));

        Assert.Null(await StoredGrantAsync(app, userId));
        await Assert.ThrowsAsync<EllipsisDriveSignInRequiredException>(
            () => app.Tokens.GetAccessTokenForUserAsync(userId, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task After_disconnect_the_typed_client_in_a_request_sends_pages_to_the_connect_page_and_fetches_a_401_and_nothing_to_the_API()
    {
        var (_, browser, _) = await StartConnectedAsync();
        using var _ = browser;
        await browser.GetStringAsync("/disconnect");
        var accountCalls = Drive.CountRequests(EmulatorEndpoint.Account);

        using var fetched = await browser.FetchJsonAsync("/drive/account");
        using var page = await browser.GetAsync("/drive/account");

        Assert.Equal(HttpStatusCode.Unauthorized, fetched.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/connect?returnUrl=%2Fdrive%2Faccount", page.Headers.Location!.OriginalString);
        Assert.Equal(accountCalls, Drive.CountRequests(EmulatorEndpoint.Account));
        Assert.Equal("ann", await browser.GetStringAsync("/account/whoami"));
    }

    [Fact]
    public async Task Invalid_grant_marks_the_stored_grant_ReconnectRequired_and_raises_OnRefreshFailed_with_the_local_user_id()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, RevokedRefreshToken);

        await Assert.ThrowsAsync<EllipsisDriveSignInRequiredException>(
            () => app.Tokens.GetAccessTokenForUserAsync(userId, cancellationToken: TestContext.Current.CancellationToken));

        var grant = await StoredGrantAsync(app, userId);
        Assert.NotNull(grant);
        Assert.True(grant.ReconnectRequired);
        Assert.Null(grant.AccessToken);
        Assert.Null(grant.RefreshToken);
        var failure = Assert.Single(app.RefreshFailed);
        Assert.Equal(userId, failure.UserKey);
        Assert.Equal(EllipsisDriveTokenErrorKind.InvalidGrant, failure.Exception.Kind);
    }

    [Fact]
    public async Task After_invalid_grant_the_local_user_stays_signed_in_and_the_API_asks_to_connect_again_without_another_refresh()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, RevokedRefreshToken);
        await Assert.ThrowsAsync<EllipsisDriveSignInRequiredException>(
            () => app.Api.ForUser(userId).GetAccountAsync(TestContext.Current.CancellationToken));

        using var inRequest = await browser.FetchJsonAsync("/drive/account");
        await Assert.ThrowsAsync<EllipsisDriveSignInRequiredException>(
            () => app.Tokens.GetAccessTokenForUserAsync(userId, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Unauthorized, inRequest.StatusCode);
        Assert.Equal("ann", await browser.GetStringAsync("/account/whoami"));
        Assert.Equal(1, TokenRefreshCalls);
        Assert.Single(app.RefreshFailed);
    }

    [Fact]
    public async Task Connecting_again_after_invalid_grant_replaces_the_marked_grant()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, RevokedRefreshToken);
        await Assert.ThrowsAsync<EllipsisDriveSignInRequiredException>(
            () => app.Tokens.GetAccessTokenForUserAsync(userId, cancellationToken: TestContext.Current.CancellationToken));

        await ConnectAsync(browser);

        var grant = await StoredGrantAsync(app, userId);
        Assert.False(grant!.ReconnectRequired);
        Assert.Equal("alice", await browser.GetStringAsync("/drive/account"));
    }
}
