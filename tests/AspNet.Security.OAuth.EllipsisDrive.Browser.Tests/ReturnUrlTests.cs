using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>After sign-in the browser only ever goes to a page of the app, whatever return URL was asked for.</summary>
public sealed class ReturnUrlTests(BrowserFixture browser, SampleAppFixture app) : BrowserTest(browser), IClassFixture<SampleAppFixture>
{
    public static TheoryData<string> OpenRedirects =>
    [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "%2F%2Fevil.example",
        "http:evil.example",
        " //evil.example",
    ];

    protected override SampleApp App => app.App;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        // Should the app ever redirect there, the browser lands on a page that says so instead of a DNS error.
        await Page.Context.RouteAsync("**/*", async route =>
        {
            if (IsOnApp(route.Request.Url) || route.Request.Url.StartsWith(App.Drive.BaseAddress.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                await route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<h1 id=\"escaped\">Left the app</h1>" });
            }
        });
    }

    [Theory]
    [MemberData(nameof(OpenRedirects))]
    public async Task A_return_url_in_the_query_that_leaves_the_app_is_replaced_by_the_account_page(string payload)
    {
        await Page.GotoAsync(App.Url("/Account/SignIn?returnUrl=" + Uri.EscapeDataString(payload)));
        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice");

        await AssertLandedOnAccountPageAsync();
    }

    [Theory]
    [MemberData(nameof(OpenRedirects))]
    public async Task A_return_url_posted_by_a_forged_form_that_leaves_the_app_is_replaced_by_the_account_page(string payload)
    {
        await Page.GotoAsync(App.Url("/"));
        // What a hostile page or a tampered form would post: the payload verbatim, past the GET page's own check.
        await Page.Locator("#sign-in-form input[name=returnUrl]").EvaluateAsync("(input, value) => input.value = value", payload);
        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice");

        await AssertLandedOnAccountPageAsync();
    }

    [Fact]
    public async Task A_local_return_url_is_kept()
    {
        await Page.GotoAsync(App.Url("/Account/SignIn?returnUrl=" + Uri.EscapeDataString("/Drive?root=sharedWithMe")));
        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice");

        await WaitForPathAsync("/Drive?root=sharedWithMe");
        Assert.True(IsOnApp(Page.Url));
    }

    private async Task AssertLandedOnAccountPageAsync()
    {
        // ConsentAsync returned on the first page after the emulator, loaded: wherever the redirects led.
        Assert.Null(await Page.QuerySelectorAsync("#escaped"));
        Assert.True(IsOnApp(Page.Url), $"The browser left the app for {Page.Url}.");
        Assert.Equal("/Account", new Uri(Page.Url).AbsolutePath);
        Assert.Equal("Alice Example", await Page.InnerTextAsync("#account-name"));
    }
}
