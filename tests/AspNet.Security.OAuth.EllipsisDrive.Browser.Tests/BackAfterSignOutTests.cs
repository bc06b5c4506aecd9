using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// On a shared computer, the next person presses Back after sign-out: the browser must ask the server again (which
/// answers with the sign-in page) rather than show the previous user's pages from its back/forward cache.
/// </summary>
public sealed class BackAfterSignOutTests(BrowserFixture browser, SampleAppFixture app) : BrowserTest(browser), IClassFixture<SampleAppFixture>
{
    protected override SampleApp App => app.App;

    /// <summary>
    /// Playwright launches Chromium with <c>--disable-back-forward-cache</c>, so Back in the shared browser always asks
    /// the server and proves nothing. This test starts a Chromium of its own with the back/forward cache on, as a
    /// person's browser has it. Back does not wait for a load event: a page restored from that cache fires none.
    /// </summary>
    [Theory]
    [MemberData(nameof(PageChecks.Widths), MemberType = typeof(PageChecks))]
    public async Task Back_after_sign_out_shows_no_signed_in_content(int width)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var chromium = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Headless = true,
            IgnoreDefaultArgs = ["--disable-back-forward-cache"],
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        await using var context = await chromium.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = 700 } });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var notRestored = new List<string>();
        var cdp = await context.NewCDPSessionAsync(page);
        cdp.Event("Page.backForwardCacheNotUsed").OnEvent += (_, e) => notRestored.Add(e?.ToString() ?? string.Empty);
        await cdp.SendAsync("Page.enable");

        await page.GotoAsync(App.Url("/"));
        await page.ClickAsync("#sign-in");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(App.Drive.BaseAddress.AbsoluteUri)));
        await page.CheckAsync("form#consent input[name=user][value=alice]");
        await page.ClickAsync("#allow");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/Account$"));
        await page.GotoAsync(App.Url("/Drive"));
        Assert.NotEmpty(await page.Locator("#drive-items .item-name").AllInnerTextsAsync());
        // Survives only if the browser shows this very page again from its back/forward cache.
        await page.EvaluateAsync("() => { window.shownBeforeSignOut = true; }");

        await page.ClickAsync("#sign-out");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/Account/SignedOut$"));
        await page.GoBackAsync(new() { WaitUntil = WaitUntilState.Commit });

        // Back to /Drive: asked again, it is the sign-in page now.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/Account/SignIn\?ReturnUrl=%2FDrive$"));
        await page.WaitForFunctionAsync("() => document.readyState === 'complete'");
        Assert.False(await page.EvaluateAsync<bool>("() => window.shownBeforeSignOut === true"), "Back showed the signed-in page from the back/forward cache.");
        Assert.Null(await page.QuerySelectorAsync("#drive-items"));
        Assert.Null(await page.QuerySelectorAsync("#signed-in-as"));
        Assert.DoesNotContain("Aerial imagery", await page.ContentAsync(), StringComparison.Ordinal);
        // The cache was on, and Chromium declined to restore the signed-in page from it.
        var drive = Assert.Single(notRestored, e => e.Contains("/Drive", StringComparison.Ordinal));
        Assert.DoesNotContain("BackForwardCacheDisabled", drive, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signed_in_pages_and_the_sign_out_answer_tell_the_browser_not_to_keep_them()
    {
        await SignInAsync();

        foreach (var path in new[] { "/Account", "/Drive", "/", "/no/such/page" })
        {
            var response = await Page.GotoAsync(App.Url(path));
            Assert.Contains("no-store", response!.Headers.GetValueOrDefault("cache-control") ?? string.Empty, StringComparison.Ordinal);
        }

        var signOut = await Page.RunAndWaitForResponseAsync(
            () => Page.ClickAsync("#sign-out"),
            response => response.Request.Method == "POST" && new Uri(response.Url).AbsolutePath == "/Account/SignOut");

        var headers = await signOut.AllHeadersAsync();
        Assert.Equal(302, signOut.Status);
        Assert.Equal("\"cache\"", headers.GetValueOrDefault("clear-site-data"));
        Assert.Contains("no-store", headers.GetValueOrDefault("cache-control") ?? string.Empty, StringComparison.Ordinal);
        await WaitForPathAsync("/Account/SignedOut");
    }
}
