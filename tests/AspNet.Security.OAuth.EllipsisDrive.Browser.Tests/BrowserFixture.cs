using AspNet.Security.OAuth.EllipsisDrive.Testing;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(AspNet.Security.OAuth.EllipsisDrive.Browser.Tests.BrowserFixture))]

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// One headless Debian Chromium for the whole test assembly. Playwright only drives it: nothing is downloaded.
/// Without <c>/usr/bin/chromium</c> the browser tests skip with the reason, except under <c>CI=true</c>, where they fail.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser
    {
        get
        {
            Prerequisite.Require(_browser is not null, $"Chromium is not installed at {ChromiumPath} (apt-get install chromium); the browser tests need it.");
            return _browser!;
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
