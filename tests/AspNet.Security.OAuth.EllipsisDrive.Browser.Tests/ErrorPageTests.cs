using System.Text.RegularExpressions;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// Every refused or failed request ends on a page of the sample in plain words, with the next step: a "Sign in again"
/// button where that is the fix, and a short correlation id that can be copied and is found in the log.
/// </summary>
public sealed class ErrorPageTests(BrowserFixture browser, SampleAppFixture app) : BrowserTest(browser), IClassFixture<SampleAppFixture>
{
    protected override SampleApp App => app.App;

    public override async ValueTask DisposeAsync()
    {
        App.Drive.ClearFaults();
        await base.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(PageChecks.Widths), MemberType = typeof(PageChecks))]
    public async Task An_unknown_address_shows_the_not_found_page(int width)
    {
        await PageChecks.ResizeAsync(Page, width);

        var response = await Page.GotoAsync(App.Url("/no/such/page"));

        Assert.Equal(404, response!.Status);
        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Equal("Page not found", await Page.InnerTextAsync("#status-title"));
        Assert.NotNull(await Page.QuerySelectorAsync("#go-home"));
        await PageChecks.AssertNoSideScrollAsync(Page);
    }

    [Fact]
    public async Task A_form_posted_to_an_unknown_address_shows_the_not_found_page_not_a_second_refusal()
    {
        await Page.GotoAsync(App.Url("/"));

        // A POST without an antiforgery token: the status page is re-executed as a POST and must still be shown.
        await Page.EvaluateAsync("""
            () => {
                const form = document.createElement('form');
                form.method = 'post';
                form.action = '/no/such/form';
                document.body.append(form);
                form.submit();
            }
            """);

        await WaitForPathAsync("/no/such/form");
        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Equal("Page not found", await Page.InnerTextAsync("#status-title"));
    }

    [Fact]
    public async Task Opening_a_button_only_address_in_the_address_bar_explains_instead_of_a_bare_405()
    {
        var response = await Page.GotoAsync(App.Url("/Account/Refresh"));

        Assert.Equal(405, response!.Status);
        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Equal("This address cannot be opened like that", await Page.InnerTextAsync("#status-title"));
    }

    [Fact]
    public async Task Opening_the_sign_out_address_asks_to_confirm_and_the_button_signs_out()
    {
        await SignInAsync();

        var response = await Page.GotoAsync(App.Url("/Account/SignOut"));

        Assert.Equal(200, response!.Status);
        Assert.Equal("Sign out?", await Page.InnerTextAsync("#sign-out-title"));
        Assert.NotNull(await Page.QuerySelectorAsync("#signed-in-as"));
        await Page.ClickAsync("#confirm-sign-out");
        await WaitForPathAsync("/Account/SignedOut");
        Assert.Null(await Page.QuerySelectorAsync("#signed-in-as"));
    }

    [Fact]
    public async Task Opening_the_sign_out_address_when_signed_out_says_you_are_signed_out()
    {
        await Page.GotoAsync(App.Url("/Account/SignOut"));

        await WaitForPathAsync("/Account/SignedOut");
        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Equal("You are signed out", await Page.InnerTextAsync("#signed-out"));
    }

    [Fact]
    public async Task A_sign_in_whose_state_is_gone_says_so_plainly_and_sign_in_again_works()
    {
        await Page.GotoAsync(App.Url("/"));
        await Page.ClickAsync("#sign-in");
        await Assertions.Expect(Page).ToHaveURLAsync(new Regex("^" + Regex.Escape(App.Drive.BaseAddress.AbsoluteUri)));
        // The sign-in's state cookie is gone (another tab finished the sign-in, the browser dropped it, ...).
        await Page.Context.ClearCookiesAsync(new() { Domain = App.BaseAddress.Host });
        await ConsentAsync("alice");

        await WaitForPathAsync("/Home/Error");
        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Equal("The sign-in did not complete", await Page.InnerTextAsync("#error-title"));
        var message = await Page.InnerTextAsync("#error-message");
        Assert.Contains("expired or was already finished", message, StringComparison.Ordinal);
        Assert.DoesNotContain("callback", message, StringComparison.OrdinalIgnoreCase);
        var correlationId = await Page.InnerTextAsync("#correlation-id");
        Assert.Matches("^[0-9a-f]{12}$", correlationId);
        Assert.Contains(App.Logs.Lines, line => line.Contains(correlationId, StringComparison.Ordinal) && line.Contains("state", StringComparison.Ordinal));

        Assert.Equal("Sign in again", await Page.InnerTextAsync("#sign-in"));
        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice");
        await WaitForPathAsync("/Account");
        Assert.Equal("Alice Example", await Page.InnerTextAsync("#account-name"));
    }

    [Fact]
    public async Task The_correlation_id_is_small_and_the_copy_button_copies_it()
    {
        await Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = App.BaseAddress.GetLeftPart(UriPartial.Authority) });
        App.Drive.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { StatusCode = 503, Body = """{"message":"Down for maintenance."}""" });
        await Page.GotoAsync(App.Url("/"));
        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice");
        await WaitForPathAsync("/Home/Error");

        Assert.Contains("could not complete the sign-in just now (it answered HTTP 503)", await Page.InnerTextAsync("#error-message"), StringComparison.Ordinal);
        var sizes = await Page.EvaluateAsync<double[]>("""
            () => [parseFloat(getComputedStyle(document.getElementById('correlation-id')).fontSize),
                   parseFloat(getComputedStyle(document.getElementById('error-message')).fontSize)]
            """);
        Assert.True(sizes[0] < sizes[1], $"The correlation id is {sizes[0]} px, the message {sizes[1]} px.");

        await Page.ClickAsync("#copy-correlation-id");

        await Assertions.Expect(Page.Locator("#copy-correlation-id")).ToHaveTextAsync("Copied");
        var copied = await Page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.Equal(await Page.InnerTextAsync("#correlation-id"), copied);
    }

    [Fact]
    public async Task An_answer_the_app_cannot_read_shows_the_error_page_with_an_id_that_the_log_carries()
    {
        await SignInAsync();
        App.Drive.InjectFault(EmulatorEndpoint.ListRoot, new EmulatorFault { StatusCode = 200, Body = "this is not JSON" });

        await Page.GotoAsync(App.Url("/Drive"));

        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Equal("Sorry, something went wrong on our side", await Page.InnerTextAsync("#error-title"));
        var html = await Page.ContentAsync();
        Assert.DoesNotContain("   at ", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        var correlationId = await Page.InnerTextAsync("#correlation-id");
        Assert.Contains(App.Logs.Lines, line => line.Contains(correlationId, StringComparison.Ordinal) && line.Contains("/Drive", StringComparison.Ordinal));
        await AssertNoIssuedSecretServedAsync();
    }
}
