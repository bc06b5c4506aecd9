using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.EllipsisDrive.Identity.Tests;

public sealed class ConnectTests : IdentityTestBase
{
    [Fact]
    public async Task A_local_account_connects_Ellipsis_Drive_and_the_grant_is_stored_under_the_local_user_id()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;
        var driveAccountId = Drive.Users.Single(u => u.Username == "alice").Id;

        var grant = await StoredGrantAsync(app, userId);

        Assert.NotNull(grant);
        Assert.NotNull(grant.AccessToken);
        Assert.NotNull(grant.RefreshToken);
        Assert.False(grant.ReconnectRequired);
        Assert.Null(await StoredGrantAsync(app, driveAccountId));
    }

    [Fact]
    public async Task The_Ellipsis_Drive_account_is_linked_to_the_local_account_as_an_Identity_login()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var logins = await users.GetLoginsAsync((await users.FindByIdAsync(userId))!);

        var login = Assert.Single(logins);
        Assert.Equal(EllipsisDriveDefaults.AuthenticationScheme, login.LoginProvider);
        Assert.Equal(Drive.Users.Single(u => u.Username == "alice").Id, login.ProviderKey);
    }

    [Fact]
    public async Task No_cookie_or_page_of_the_connect_flow_carries_an_Ellipsis_Drive_token()
    {
        var (_, browser, _) = await StartConnectedAsync();
        using var __ = browser;

        // Set-Cookie values (Identity's application and external cookies included) and bodies, as they crossed the wire.
        var leaked = browser.Received.Count(received => Drive.IssuedSecrets.Any(secret => received.Contains(secret, StringComparison.Ordinal)));

        Assert.NotEmpty(Drive.IssuedSecrets);
        Assert.True(leaked == 0, $"{leaked} responses of the app carried a code or token the emulator issued.");
    }

    [Fact]
    public async Task The_callback_signs_out_of_the_external_cookie_and_the_local_user_stays_signed_in()
    {
        var app = await StartAppAsync();
        using var browser = app.CreateBrowser();
        await RegisterAsync(browser);
        using var challenge = await browser.GetAsync("/connect");
        var callbackUrl = await Drive.ConsentAsync(challenge.Headers.Location!, "alice", allow: true, TestContext.Current.CancellationToken);
        using var handlerCallback = await browser.GetAsync(callbackUrl);
        var externalCookieAfterSignIn = HasExternalCookie(browser);

        Assert.Equal("connected", await browser.GetStringAsync("/connect/callback"));

        Assert.True(externalCookieAfterSignIn);
        Assert.False(HasExternalCookie(browser));
        Assert.Equal("ann", await browser.GetStringAsync("/account/whoami"));
    }

    [Fact]
    public async Task The_token_service_in_a_request_of_the_Identity_signed_in_user_finds_the_grant_of_the_local_user_id()
    {
        // The Ellipsis Drive scheme's sign-in scheme is Identity.External, which holds nobody after the callback: the
        // user of the request is Identity's application cookie, and its NameIdentifier is the local user's id.
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;
        var grant = await StoredGrantAsync(app, userId);

        using var response = await browser.GetAsync("/drive/token");
        var fingerprint = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(IdentityTestApp.Fingerprint(grant!.AccessToken!), fingerprint);
        Assert.Equal(0, TokenRefreshCalls);
    }

    [Fact]
    public async Task The_typed_client_in_a_request_calls_the_API_with_the_local_users_stored_access_token()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;
        var grant = await StoredGrantAsync(app, userId);
        var accountCallsBefore = AccountCallAuthorizations().Count;

        var userName = await browser.GetStringAsync("/drive/account");

        Assert.Equal("alice", userName);
        var authorizations = AccountCallAuthorizations();
        Assert.Equal(accountCallsBefore + 1, authorizations.Count);
        Assert.True(authorizations[^1] == "Bearer " + grant!.AccessToken, "The API call did not carry the stored access token as a Bearer token.");
    }

    [Fact]
    public async Task A_401_from_the_API_in_a_request_refreshes_the_local_users_grant_once_and_the_call_is_retried()
    {
        var (app, browser, userId) = await StartConnectedAsync();
        using var _ = browser;
        var connected = await StoredGrantAsync(app, userId);

        // Still valid by its expiry, refused by the API.
        Drive.ExpireAccessTokens();
        var userName = await browser.GetStringAsync("/drive/account");

        Assert.Equal("alice", userName);
        Assert.Equal(1, TokenRefreshCalls);
        var refreshed = await StoredGrantAsync(app, userId);
        Assert.NotEqual(IdentityTestApp.Fingerprint(connected!.AccessToken!), IdentityTestApp.Fingerprint(refreshed!.AccessToken!));
        Assert.True(AccountCallAuthorizations()[^1] == "Bearer " + refreshed.AccessToken, "The retried API call did not carry the refreshed access token.");
    }

    [Fact]
    public async Task With_StoreGrantsAtSignIn_left_on_the_grant_goes_under_the_Ellipsis_Drive_id_and_the_callback_finds_no_tokens_to_connect()
    {
        var app = await StartAppAsync(tokens => tokens.StoreGrantsAtSignIn = true);
        using var browser = app.CreateBrowser();
        var userId = await RegisterAsync(browser);
        using var challenge = await browser.GetAsync("/connect");
        var callbackUrl = await Drive.ConsentAsync(challenge.Headers.Location!, "alice", allow: true, TestContext.Current.CancellationToken);
        using var handlerCallback = await browser.GetAsync(callbackUrl);

        var connect = await Assert.ThrowsAsync<ArgumentException>(() => browser.GetAsync("/connect/callback"));

        Assert.Equal("properties", connect.ParamName);
        Assert.NotNull(await StoredGrantAsync(app, Drive.Users.Single(u => u.Username == "alice").Id));
        Assert.Null(await StoredGrantAsync(app, userId));
    }

    // AddIdentity names the external cookie after its scheme.
    private static bool HasExternalCookie(IdentityTestApp.Browser browser) =>
        browser.Cookies.GetAllCookies().Any(c => c.Name == IdentityConstants.ExternalScheme);
}
