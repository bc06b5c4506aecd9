using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

public sealed class SignInTests(BrowserFixture browser, SampleAppFixture app) : BrowserTest(browser), IClassFixture<SampleAppFixture>
{
    protected override SampleApp App => app.App;

    [Fact]
    public async Task Signing_in_as_alice_shows_her_account_and_her_drive_page_by_page()
    {
        await Page.GotoAsync(App.Url("/"));
        Assert.Contains("Emulator mode: no real Ellipsis Drive account is used", await Page.InnerTextAsync("#emulator-banner"));

        await Page.ClickAsync("#sign-in");
        // The button leads to the emulator's consent page (ConsentAsync waits for it, and fails if it never comes).
        await ConsentAsync("alice");

        await WaitForPathAsync("/Account");
        Assert.Equal("Alice Example", await Page.InnerTextAsync("#account-name"));
        Assert.Equal("alice", await Page.InnerTextAsync("#account-username"));
        Assert.Equal("alice@example.com", await Page.InnerTextAsync("#account-email"));
        Assert.Equal("pro", await Page.InnerTextAsync("#account-plan"));
        Assert.Equal("5d1e6a0e-7c35-4a51-9d2b-3f3a1c6a0001", await Page.InnerTextAsync("#account-id"));
        Assert.Contains("Emulator mode", await Page.InnerTextAsync("#emulator-banner"));
        // The picture in docs/account-page.png comes from here.
        await Page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDirectory, "account-page.png") });

        await FollowLinkAsync("#open-drive");
        var seen = new List<string>();
        seen.AddRange(await ItemNamesAsync());
        Assert.Equal(4, seen.Count);
        Assert.Contains("Folder", await Page.InnerTextAsync("#drive-items"));
        while (await Page.QuerySelectorAsync("#next-page") is not null)
        {
            await FollowLinkAsync("#next-page");
            seen.AddRange(await ItemNamesAsync());
        }

        // alice's own items, trash excluded, each exactly once across the pages.
        Assert.Equal(
            ["Aerial imagery 2024", "Basemaps", "City overview", "Elevation model", "Field report.pdf", "Parcels", "Projects", "Roads", "Shared flood map of alice", "Survey points"],
            seen.Order(StringComparer.Ordinal));
        Assert.True(App.Drive.CountRequests(EmulatorEndpoint.ListRoot) >= 3);

        await FollowLinkAsync("#root-sharedWithMe");
        Assert.Equal(["Shared flood map of bob"], await ItemNamesAsync());
        await FollowLinkAsync("#root-favorites");
        Assert.Equal(["Aerial imagery 2024", "Basemaps", "Parcels"], (await ItemNamesAsync()).Order(StringComparer.Ordinal));
        await AssertNoIssuedSecretServedAsync();
    }

    [Fact]
    public async Task Signing_in_as_bob_shows_bob()
    {
        await SignInAsync("bob");

        Assert.Equal("bob", await Page.InnerTextAsync("#account-name"));
        Assert.Equal("free", await Page.InnerTextAsync("#account-plan"));
        Assert.Contains("bob", await Page.InnerTextAsync("#signed-in-as"));
    }

    [Fact]
    public async Task Pressing_deny_lands_on_the_access_denied_page()
    {
        await Page.GotoAsync(App.Url("/"));
        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice", allow: false);

        await WaitForPathAsync("/Home/AccessDenied");
        Assert.Equal("Access denied", await Page.InnerTextAsync("#access-denied"));
        Assert.Null(await Page.QuerySelectorAsync("#signed-in-as"));
    }

    [Fact]
    public async Task The_session_cookie_carries_no_token()
    {
        await SignInAsync();

        var cookies = await Page.Context.CookiesAsync([App.BaseAddress.AbsoluteUri]);
        var session = Assert.Single(cookies, c => c.Name == "WebApp.Session");
        // A session key only: a ticket that carried the tokens would be several times larger.
        Assert.InRange(session.Value.Length, 1, 512);
        Assert.True(session.HttpOnly);
    }

    [Fact]
    public async Task After_signing_out_the_account_page_asks_to_sign_in_again()
    {
        await SignInAsync();

        await Page.ClickAsync("#sign-out");
        await WaitForPathAsync("/Account/SignedOut");
        await Page.GotoAsync(App.Url("/Account"));

        Assert.Equal("/Account/SignIn", new Uri(Page.Url).AbsolutePath);
        Assert.NotNull(await Page.QuerySelectorAsync("#sign-in"));
        Assert.Null(await Page.QuerySelectorAsync("#signed-in-as"));
    }

    [Fact]
    public async Task A_copy_of_the_session_cookie_kept_from_before_sign_out_no_longer_signs_in()
    {
        await SignInAsync();
        var before = await Page.Context.CookiesAsync([App.BaseAddress.AbsoluteUri]);
        var session = Assert.Single(before, c => c.Name == "WebApp.Session");

        await Page.ClickAsync("#sign-out");
        await WaitForPathAsync("/Account/SignedOut");
        await Page.Context.AddCookiesAsync([new() { Name = session.Name, Value = session.Value, Url = App.BaseAddress.AbsoluteUri }]);
        await Page.GotoAsync(App.Url("/Account"));

        // The server forgot the session: the replayed cookie is worth nothing.
        Assert.Equal("/Account/SignIn", new Uri(Page.Url).AbsolutePath);
    }

    [Fact]
    public async Task An_account_page_visit_before_sign_in_returns_there_after_sign_in()
    {
        await Page.GotoAsync(App.Url("/Drive?root=favorites"));
        Assert.Equal("/Account/SignIn", new Uri(Page.Url).AbsolutePath);

        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice");

        await WaitForPathAsync("/Drive?root=favorites");
        Assert.Equal(["Aerial imagery 2024", "Basemaps", "Parcels"], (await ItemNamesAsync()).Order(StringComparer.Ordinal));
    }

    private async Task<IReadOnlyList<string>> ItemNamesAsync()
    {
        var names = await Page.Locator("#drive-items .item-name").AllInnerTextsAsync();
        return [.. names.Select(n => n.Trim())];
    }
}
