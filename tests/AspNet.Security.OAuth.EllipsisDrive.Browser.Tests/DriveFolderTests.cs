using AspNet.Security.OAuth.EllipsisDrive.Emulator;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>The sample as it starts with no settings: its own page size.</summary>
public sealed class DefaultSampleAppFixture : IAsyncLifetime
{
    public SampleApp App { get; } = new();

    public ValueTask InitializeAsync()
    {
        App.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

/// <summary>My Drive: folders open (their children come from the API), breadcrumbs lead back, items say what they are, and the default data pages.</summary>
public sealed class DriveFolderTests(BrowserFixture browser, DefaultSampleAppFixture app) : BrowserTest(browser), IClassFixture<DefaultSampleAppFixture>
{
    protected override SampleApp App => app.App;

    [Fact]
    public async Task With_the_default_settings_my_drive_has_a_next_page()
    {
        await SignInAsync();
        await FollowLinkAsync("#open-drive");

        var first = await ItemNamesAsync();
        Assert.InRange(first.Count, 1, 9);
        await FollowLinkAsync("#next-page");
        var second = await ItemNamesAsync();
        Assert.NotEmpty(second);
        Assert.Empty(first.Intersect(second));
        Assert.NotNull(await Page.QuerySelectorAsync("#first-page"));
    }

    [Theory]
    [MemberData(nameof(PageChecks.Widths), MemberType = typeof(PageChecks))]
    public async Task A_folder_opens_to_its_children_and_the_breadcrumbs_lead_back(int width)
    {
        await PageChecks.ResizeAsync(Page, width);
        await SignInAsync();
        await FollowLinkAsync("#open-drive");
        var listsBefore = App.Drive.CountRequests(EmulatorEndpoint.ListFolder);

        await FollowLinkAsync("#drive-items a.item-name >> text=Projects");

        Assert.Equal("Projects", await Page.InnerTextAsync("#drive-title"));
        Assert.Equal(["Drone flight", "Harbour survey", "Project notes.pdf", "Site plan"], await ItemNamesAsync());
        Assert.Equal(listsBefore + 1, App.Drive.CountRequests(EmulatorEndpoint.ListFolder));

        await FollowLinkAsync("#drive-items a.item-name >> text=Harbour survey");
        Assert.Equal(["Depth soundings", "Quay wall scan"], await ItemNamesAsync());
        Assert.Equal(["My Drive", "Projects", "Harbour survey"], await CrumbsAsync());
        await PageChecks.AssertNoSideScrollAsync(Page);

        await FollowLinkAsync("#breadcrumbs a.crumb >> text=Projects");
        Assert.Equal("Projects", await Page.InnerTextAsync("#drive-title"));
        Assert.Equal(["My Drive", "Projects"], await CrumbsAsync());

        await FollowLinkAsync("#breadcrumbs a.crumb >> text=My Drive");
        Assert.Equal("My Drive", await Page.InnerTextAsync("#drive-title"));
        Assert.Null(await Page.QuerySelectorAsync("#breadcrumbs"));
        Assert.Contains("Projects", await ItemNamesAsync());
    }

    [Fact]
    public async Task Every_item_says_what_it_is_and_only_folders_are_links()
    {
        await SignInAsync();
        await Page.GotoAsync(App.Url("/Drive"));
        await FollowLinkAsync("#drive-items a.item-name >> text=Projects");
        await FollowLinkAsync("#drive-items a.item-name >> text=Harbour survey");

        Assert.Equal("Point cloud layer", await TypeOfAsync("Quay wall scan"));
        Assert.Equal("Vector layer", await TypeOfAsync("Depth soundings"));
        await FollowLinkAsync("#breadcrumbs a.crumb >> text=Projects");
        Assert.Equal("Folder", await TypeOfAsync("Harbour survey"));
        Assert.Equal("Raster layer", await TypeOfAsync("Drone flight"));
        Assert.Equal("File", await TypeOfAsync("Project notes.pdf"));
        Assert.Equal(1, await Page.Locator("#drive-items a.item-name").CountAsync());
    }

    [Fact]
    public async Task A_folder_that_does_not_exist_says_so_in_plain_words()
    {
        await SignInAsync();

        await Page.GotoAsync(App.Url("/Drive/Folder/" + Guid.NewGuid()));

        await PageChecks.AssertSamplePageAsync(Page);
        Assert.Contains("no longer exists", await Page.InnerTextAsync("#drive-error"), StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<string>> ItemNamesAsync() =>
        [.. (await Page.Locator("#drive-items .item-name").AllInnerTextsAsync()).Select(n => n.Trim())];

    private async Task<IReadOnlyList<string>> CrumbsAsync() =>
        [.. (await Page.Locator("#breadcrumbs .crumb").AllInnerTextsAsync()).Select(n => n.Trim())];

    private Task<string> TypeOfAsync(string name) =>
        Page.Locator("#drive-items li.item").Filter(new() { Has = Page.Locator(".item-name", new() { HasTextString = name }) }).Locator(".item-type").InnerTextAsync();
}
