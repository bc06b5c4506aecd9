using System.Globalization;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>An emulator whose access tokens live 2 seconds: well inside the package's refresh-before-expiry window.</summary>
public sealed class ShortLivedTokensFixture : IAsyncLifetime
{
    public SampleApp App { get; } = new(new Dictionary<string, string?>
    {
        ["Drive:PageSize"] = "4",
        ["Emulator:AccessTokenLifetimeSeconds"] = "2",
    });

    public ValueTask InitializeAsync()
    {
        App.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

public sealed class TokenRefreshTests(BrowserFixture browser, ShortLivedTokensFixture app) : BrowserTest(browser), IClassFixture<ShortLivedTokensFixture>
{
    protected override SampleApp App => app.App;

    [Fact]
    public async Task My_drive_keeps_working_after_the_access_token_expired_and_no_page_shows_a_secret()
    {
        await SignInAsync();
        var firstExpiry = await ExpiresAtAsync();
        var refreshesBefore = App.Drive.CountRequests(EmulatorEndpoint.TokenRefresh);

        // Past the first access token's life (the page shows whole seconds): the emulator rejects it from now on.
        var wait = firstExpiry - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.2);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, TestContext.Current.CancellationToken);
        }

        await FollowLinkAsync("#open-drive");
        Assert.Equal(4, await Page.Locator("#drive-items .item-name").CountAsync());
        await FollowLinkAsync("#next-page");
        Assert.Equal(4, await Page.Locator("#drive-items .item-name").CountAsync());

        Assert.True(App.Drive.CountRequests(EmulatorEndpoint.TokenRefresh) > refreshesBefore, "Expected the sample to refresh the expired access token at the emulator.");
        await Page.GotoAsync(App.Url("/Account"));
        Assert.True(await ExpiresAtAsync() > firstExpiry);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", await Page.InnerTextAsync("#token-refreshed-at"));
        await AssertNoIssuedSecretServedAsync();
    }

    [Fact]
    public async Task Refresh_token_now_refreshes_at_the_emulator_and_says_so()
    {
        await SignInAsync("bob");
        var refreshesBefore = App.Drive.CountRequests(EmulatorEndpoint.TokenRefresh);

        await Page.ClickAsync("#refresh-token");

        // The form posts from the account page back to it: wait for the new page's message, not the URL.
        await Assertions.Expect(Page.Locator("#account-status")).ToHaveTextAsync("The access token was refreshed.");
        Assert.Equal("/Account", new Uri(Page.Url).AbsolutePath);
        Assert.True(App.Drive.CountRequests(EmulatorEndpoint.TokenRefresh) > refreshesBefore);
        Assert.Equal("bob", await Page.InnerTextAsync("#account-name"));
        await AssertNoIssuedSecretServedAsync();
    }

    private async Task<DateTimeOffset> ExpiresAtAsync() =>
        DateTimeOffset.ParseExact(
            await Page.InnerTextAsync("#token-expires-at"),
            "yyyy-MM-dd HH:mm:ss 'UTC'",
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal);
}

/// <summary>An access token the API rejects before its announced expiry (revoked, server restarted) is refreshed on the 401.</summary>
public sealed class RejectedTokenTests(BrowserFixture browser, SampleAppFixture app) : BrowserTest(browser), IClassFixture<SampleAppFixture>
{
    protected override SampleApp App => app.App;

    [Fact]
    public async Task My_drive_refreshes_a_token_the_api_rejects_and_still_lists_the_items()
    {
        await SignInAsync();
        var refreshesBefore = App.Drive.CountRequests(EmulatorEndpoint.TokenRefresh);

        App.Drive.ExpireAccessTokens();
        await FollowLinkAsync("#open-drive");

        Assert.Equal(4, await Page.Locator("#drive-items .item-name").CountAsync());
        Assert.True(App.Drive.CountRequests(EmulatorEndpoint.TokenRefresh) > refreshesBefore);
        await AssertNoIssuedSecretServedAsync();
    }
}
