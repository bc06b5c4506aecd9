using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// With a durable token store (the EF Core package on a SQLite file), an Ellipsis Drive sign-in keeps the user's grant in
/// the store, and the app acts for the user from there: in requests, in background work after the session ended, after a
/// restart; disconnect forgets the grant; a refused refresh token marks it for reconnection.
/// </summary>
public sealed class StoredGrantTests : TokenTestBase
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ellipsisdrive-grants-").FullName;

    private string Alice => Drive.Users.Single(u => u.Username == "alice").Id;

    private IEllipsisDriveTokenService Tokens => Host.Services.GetRequiredService<IEllipsisDriveTokenService>();

    private IEllipsisDriveTokenStore Store => Host.Services.GetRequiredService<IEllipsisDriveTokenStore>();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sign_in_keeps_the_grant_in_the_store_under_the_account_id_and_no_token_in_the_session(bool serverMode)
    {
        using var browser = await StartAndSignInAsync(serverMode, services: UseStore);

        var grant = await ReadGrantAsync();
        Assert.NotNull(grant.AccessToken);
        Assert.NotNull(grant.RefreshToken);
        Assert.False(grant.ReconnectRequired);
        Assert.Equal("0", await browser.GetStringAsync("/test/ticket-tokens"));
        Assert.Equal(TokenTestHost.Fingerprint(grant.AccessToken), await browser.GetStringAsync("/test/token"));
    }

    [Fact]
    public async Task In_a_request_an_expired_stored_grant_is_refreshed_once_and_saved_back()
    {
        using var browser = await StartAndSignInAsync(serverMode: false, services: UseStore);
        ExpireAccessToken();

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => browser.GetStringAsync("/test/token")));

        Assert.Equal(1, TokenRefreshCalls);
        var grant = await ReadGrantAsync();
        Assert.Equal(TokenTestHost.Fingerprint(grant.AccessToken!), Assert.Single(answers.Distinct()));
        Assert.Equal(Time.GetUtcNow(), grant.RefreshedAt);
    }

    [Fact]
    public async Task Background_access_after_sign_out_refreshes_once_for_all_callers_without_a_request()
    {
        using var browser = await StartAndSignInAsync(serverMode: true, services: UseStore);
        var signedIn = await ReadGrantAsync();
        Assert.Equal("signed-out", await browser.GetStringAsync("/test/signout"));
        ExpireAccessToken();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Tokens.GetAccessTokenForUserAsync(Alice, cancellationToken: TestContext.Current.CancellationToken)));

        Assert.Single(tokens.Distinct());
        Assert.Equal(1, TokenRefreshCalls);
        var refreshed = Assert.Single(Host.Refreshes);
        Assert.Equal(Alice, refreshed.UserKey);
        Assert.Null(refreshed.Principal);
        Assert.Equal(tokens[0], refreshed.Grant.AccessToken);
        Assert.NotEqual(signedIn.RefreshToken, refreshed.Grant.RefreshToken);
        Assert.Equal(refreshed.Grant.RefreshToken, (await ReadGrantAsync()).RefreshToken);
    }

    [Fact]
    public async Task Background_access_and_the_typed_client_work_for_the_user_after_an_app_restart()
    {
        using (await StartAndSignInAsync(serverMode: false, services: UseStore))
        {
        }

        await RestartAsync(serverMode: false, UseStore);
        ExpireAccessToken();
        Drive.ClearRequests();

        var account = await Host.Services.GetRequiredService<EllipsisDriveApiClient>().ForUser(Alice).GetAccountAsync(TestContext.Current.CancellationToken);

        Assert.Equal("alice", account.Username);
        Assert.Equal(1, TokenRefreshCalls);
        var call = Assert.Single(Drive.Requests, r => r.Endpoint == EmulatorEndpoint.Account);
        Assert.Equal("Bearer " + (await ReadGrantAsync()).AccessToken, call.Headers["Authorization"]);
    }

    [Fact]
    public async Task Disconnect_forgets_the_grant_and_then_the_user_must_connect_again()
    {
        using var browser = await StartAndSignInAsync(serverMode: false, services: UseStore);

        Assert.True(await Tokens.DisconnectAsync(Alice, TestContext.Current.CancellationToken));

        Assert.Null(await Store.GetAsync(EllipsisDriveDefaults.AuthenticationScheme, Alice, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<EllipsisDriveSignInRequiredException>(() => Tokens.GetAccessTokenForUserAsync(Alice, cancellationToken: TestContext.Current.CancellationToken));
        Assert.StartsWith("signin-required", await browser.GetStringAsync("/test/token"));
        Assert.False(await Tokens.DisconnectAsync(Alice, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_refused_refresh_token_marks_the_grant_for_reconnection_and_raises_OnRefreshFailed_with_the_user_key()
    {
        using var browser = await StartAndSignInAsync(serverMode: false, services: UseStore);
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 400, Body = """{"error":"invalid_grant"}""" });

        await Assert.ThrowsAsync<EllipsisDriveSignInRequiredException>(() => Tokens.GetAccessTokenForUserAsync(Alice, cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<EllipsisDriveSignInRequiredException>(() => Tokens.GetAccessTokenForUserAsync(Alice, cancellationToken: TestContext.Current.CancellationToken));

        var grant = await ReadGrantAsync();
        Assert.True(grant.ReconnectRequired);
        Assert.Null(grant.AccessToken);
        Assert.Null(grant.RefreshToken);
        Assert.Equal(Alice, Assert.Single(Host.RefreshFailures).UserKey);
        Assert.Equal(1, TokenRefreshCalls);
    }

    [Fact]
    public async Task Every_rotation_raises_OnTokensRefreshed_once_and_the_store_keeps_the_last_refresh_token()
    {
        using var browser = await StartAndSignInAsync(serverMode: false, services: UseStore);

        for (var i = 0; i < 3; i++)
        {
            ExpireAccessToken();
            await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Tokens.GetAccessTokenForUserAsync(Alice, cancellationToken: TestContext.Current.CancellationToken)));
        }

        Assert.Equal(3, TokenRefreshCalls);
        var refreshes = Host.Refreshes.ToArray();
        Assert.Equal(3, refreshes.Length);
        Assert.Equal(3, refreshes.Select(r => r.Grant.RefreshToken).Distinct().Count());
        Assert.Equal(refreshes[^1].Grant.RefreshToken, (await ReadGrantAsync()).RefreshToken);
    }

    [Fact]
    public async Task Without_a_store_background_access_says_which_call_registers_one()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => Tokens.GetAccessTokenForUserAsync(Alice, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("AddEllipsisDriveEntityFrameworkCoreStore", exception.Message, StringComparison.Ordinal);
    }

    protected override void AfterStopped()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private void UseStore(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("stored-grant-tests").PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(_directory, "keys")));
        services.AddEllipsisDriveEntityFrameworkCoreStore(options => options.UseSqlite("Data Source=" + Path.Combine(_directory, "grants.db")));
    }

    private async Task<EllipsisDriveGrant> ReadGrantAsync() =>
        await Store.GetAsync(EllipsisDriveDefaults.AuthenticationScheme, Alice, TestContext.Current.CancellationToken)
        ?? throw new InvalidOperationException("No grant is stored for alice.");
}
