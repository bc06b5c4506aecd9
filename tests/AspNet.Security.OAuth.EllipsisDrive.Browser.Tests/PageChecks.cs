using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>What every page of the sample must do, whatever it says: be the sample's own page, and fit the screen.</summary>
internal static class PageChecks
{
    /// <summary>Phone widths the layout must fit: the narrowest phones still sold, and the common one.</summary>
    public static TheoryData<int> PhoneWidths => [320, 375];

    /// <summary>A phone and a desktop.</summary>
    public static TheoryData<int> Widths => [320, 375, 1100];

    public static Task ResizeAsync(IPage page, int width) => page.SetViewportSizeAsync(width, width < 800 ? 700 : 760);

    /// <summary>The page is one of the sample's (its header and stylesheet), not a browser's own error page.</summary>
    public static async Task AssertSamplePageAsync(IPage page)
    {
        Assert.True(await page.Locator("header.topbar .brand").IsVisibleAsync(), $"{new Uri(page.Url).AbsolutePath} is not a page of the sample.");
        var styled = await page.EvaluateAsync<bool>("() => getComputedStyle(document.querySelector('header.topbar')).display === 'flex'");
        Assert.True(styled, $"{new Uri(page.Url).AbsolutePath} is not styled.");
    }

    /// <summary>Nothing is wider than the screen: the page never scrolls sideways.</summary>
    public static async Task AssertNoSideScrollAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var (scrollWidth, innerWidth) = (widths[0], widths[1]);
        Assert.True(scrollWidth <= innerWidth, $"{new Uri(page.Url).PathAndQuery} is {scrollWidth} px wide on a {innerWidth} px screen.");
    }
}
