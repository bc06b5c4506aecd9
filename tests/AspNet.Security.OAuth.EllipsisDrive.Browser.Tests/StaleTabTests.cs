using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// Two tabs of one browser: a form in the first was rendered before the user signed in or out in the second. Its
/// antiforgery token belongs to the previous user, so the server refuses it; the user gets a page of the sample that
/// does the sensible thing, never the browser's bare "HTTP ERROR 400".
/// </summary>
public sealed class StaleTabTests(BrowserFixture browser, SampleAppFixture app) : BrowserTest(browser), IClassFixture<SampleAppFixture>
{
    protected override SampleApp App => app.App;

    [Fact]
    public async Task Sign_in_from_a_tab_opened_before_signing_in_elsewhere_offers_a_fresh_sign_in_that_works()
    {
        await Page.GotoAsync(App.Url("/"));
        await SignInInAnotherTabAsync("bob");

        await Page.ClickAsync("#sign-in");

        await WaitForPathAsync("/Account/SignIn");
        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Contains("out of date", await Page.InnerTextAsync("#notice"), StringComparison.Ordinal);
        Assert.Contains("bob", await Page.InnerTextAsync("#already-signed-in"), StringComparison.Ordinal);

        // The fresh button signs in anew, here as someone else.
        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice");
        await WaitForPathAsync("/Account");
        Assert.Equal("Alice Example", await Page.InnerTextAsync("#account-name"));
    }

    [Fact]
    public async Task Sign_out_from_a_second_tab_after_signing_out_in_the_first_confirms_that_you_are_signed_out()
    {
        await SignInAsync();
        await SignOutInAnotherTabAsync();

        await Page.ClickAsync("#sign-out");

        await WaitForPathAsync("/Account/SignedOut");
        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Equal("You are signed out", await Page.InnerTextAsync("#signed-out"));
        Assert.Null(await Page.QuerySelectorAsync("#signed-in-as"));
    }

    [Fact]
    public async Task Sign_out_from_a_stale_tab_while_signed_in_as_someone_else_asks_before_signing_them_out()
    {
        await SignInAsync("alice");
        await SignOutInAnotherTabAsync();
        await SignInInAnotherTabAsync("bob");

        // The button of alice's page, pressed while bob is signed in.
        await Page.ClickAsync("#sign-out");

        await Assertions.Expect(Page.Locator("#sign-out-title")).ToHaveTextAsync("Sign out?");
        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Contains("still signed in", await Page.InnerTextAsync("#notice"), StringComparison.Ordinal);
        Assert.Equal("bob", await Page.InnerTextAsync("#sign-out-user"));

        await Page.ClickAsync("#confirm-sign-out");
        await WaitForPathAsync("/Account/SignedOut");
        Assert.Null(await Page.QuerySelectorAsync("#signed-in-as"));
    }

    [Fact]
    public async Task Refresh_from_a_tab_left_open_after_signing_out_leads_to_sign_in_and_then_to_the_account_page()
    {
        await SignInAsync();
        await SignOutInAnotherTabAsync();

        await Page.ClickAsync("#refresh-token");

        await WaitForPathAsync("/Account/SignIn");
        await PageChecks.AssertSamplePageAsync(Page);
        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice");
        // Not back to the POST-only /Account/Refresh (a 405 for the GET after sign-in): the account page.
        await WaitForPathAsync("/Account");
        Assert.Equal("Alice Example", await Page.InnerTextAsync("#account-name"));
    }

    [Fact]
    public async Task A_form_from_before_signing_in_as_someone_else_is_refused_with_a_page_that_leads_back()
    {
        await SignInAsync("alice");
        await SignOutInAnotherTabAsync();
        await SignInInAnotherTabAsync("bob");
        var refreshesBefore = App.Drive.CountRequests(Emulator.EmulatorEndpoint.TokenRefresh);

        // alice's "Refresh token now", pressed while bob is signed in.
        await Page.ClickAsync("#refresh-token");

        await Assertions.Expect(Page.Locator("#form-expired")).ToHaveTextAsync("This page was out of date");
        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Equal(refreshesBefore, App.Drive.CountRequests(Emulator.EmulatorEndpoint.TokenRefresh));
        await FollowLinkAsync("#open-again");
        Assert.Equal("/Account", new Uri(Page.Url).AbsolutePath);
        Assert.Equal("bob", await Page.InnerTextAsync("#account-name"));
    }

    /// <summary>Signs out from the account page of a new tab of the same browser, leaving this tab as it was.</summary>
    private async Task SignOutInAnotherTabAsync()
    {
        var other = await Page.Context.NewPageAsync();
        await other.GotoAsync(App.Url("/Account"));
        await other.ClickAsync("#sign-out");
        await Assertions.Expect(other).ToHaveURLAsync(new Regex("/Account/SignedOut$"));
    }

    /// <summary>Signs in as <paramref name="user"/> in a new tab of the same browser, which then closes.</summary>
    private async Task SignInInAnotherTabAsync(string user)
    {
        var other = await Page.Context.NewPageAsync();
        await other.GotoAsync(App.Url("/Account/SignIn"));
        await other.ClickAsync("#sign-in");
        await Assertions.Expect(other).ToHaveURLAsync(new Regex("^" + Regex.Escape(App.Drive.BaseAddress.AbsoluteUri)));
        await other.CheckAsync($"form#consent input[name=user][value={user}]");
        await other.ClickAsync("#allow");
        await Assertions.Expect(other).ToHaveURLAsync(new Regex("/Account$"));
        await Assertions.Expect(other.Locator("#signed-in-as")).ToContainTextAsync(user);
        await other.CloseAsync();
    }
}
