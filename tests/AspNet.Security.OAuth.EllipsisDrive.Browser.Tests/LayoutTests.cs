namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>From a 320 px phone to a desktop: every page fits the screen, the signed-in header wraps, and there is a favicon.</summary>
public sealed class LayoutTests(BrowserFixture browser, SampleAppFixture app) : BrowserTest(browser), IClassFixture<SampleAppFixture>
{
    private static readonly string[] AnonymousPages = ["/", "/Account/SignIn", "/Account/SignedOut", "/Home/AccessDenied", "/Home/Error", "/no/such/page"];

    private static readonly string[] SignedInPages = ["/", "/Account", "/Drive", "/Drive?root=favorites", "/Account/SignOut", "/no/such/page"];

    protected override SampleApp App => app.App;

    [Theory]
    [MemberData(nameof(PageChecks.Widths), MemberType = typeof(PageChecks))]
    public async Task No_page_scrolls_sideways(int width)
    {
        await PageChecks.ResizeAsync(Page, width);
        foreach (var path in AnonymousPages)
        {
            await Page.GotoAsync(App.Url(path));
            await PageChecks.AssertSamplePageAsync(Page);
            await PageChecks.AssertNoSideScrollAsync(Page);
        }

        await SignInAsync();
        foreach (var path in SignedInPages)
        {
            await Page.GotoAsync(App.Url(path));
            await PageChecks.AssertSamplePageAsync(Page);
            await PageChecks.AssertNoSideScrollAsync(Page);
        }

        // A folder, with its breadcrumbs (this fixture pages 4 items at a time: Basemaps is on the first page of Favorites).
        await Page.GotoAsync(App.Url("/Drive?root=favorites"));
        await FollowLinkAsync("#drive-items a.item-name >> text=Basemaps");
        Assert.NotNull(await Page.QuerySelectorAsync("#breadcrumbs"));
        await PageChecks.AssertNoSideScrollAsync(Page);
    }

    [Theory]
    [MemberData(nameof(PageChecks.PhoneWidths), MemberType = typeof(PageChecks))]
    public async Task On_a_phone_the_signed_in_header_wraps_and_sign_out_stays_on_screen(int width)
    {
        await PageChecks.ResizeAsync(Page, width);
        await SignInAsync("alice");

        foreach (var selector in new[] { "header .brand", "header nav", "#signed-in-as", "#sign-out" })
        {
            var box = await Page.Locator(selector).BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= width, $"{selector} spans {box.X}..{box.X + box.Width} px on a {width} px screen.");
        }

        var header = await Page.Locator("header.topbar").BoundingBoxAsync();
        var brand = await Page.Locator("header .brand").BoundingBoxAsync();
        Assert.True(header!.Height > brand!.Height * 2, "The header does not wrap onto more lines.");
    }

    [Fact]
    public async Task Every_page_names_a_favicon_that_the_app_serves()
    {
        await Page.GotoAsync(App.Url("/"));

        var href = await Page.Locator("link[rel=icon]").GetAttributeAsync("href");
        Assert.NotNull(href);
        var icon = await Page.APIRequest.GetAsync(new Uri(new Uri(Page.Url), href).AbsoluteUri);
        Assert.Equal(200, icon.Status);
        Assert.Equal("image/svg+xml", icon.Headers["content-type"]);
        Assert.Contains("<svg", await icon.TextAsync(), StringComparison.Ordinal);

        await Page.GotoAsync(App.Url("/no/such/page"));
        Assert.Equal(href, await Page.Locator("link[rel=icon]").GetAttributeAsync("href"));
    }
}
