using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// A fresh browser context (no cookies, no storage) and page per test on the SPA sample. Every response the app sent to
/// the page (documents, scripts, fetches) is kept with its headers, so a test can check that none carries a token.
/// A failing test leaves a screenshot and the page's HTML in <c>browser-artifacts/</c>, as <see cref="BrowserTest"/> does.
/// </summary>
public abstract class SpaBrowserTest(BrowserFixture browser, SpaSampleAppFixture fixture) : IAsyncLifetime
{
    private const float WaitTimeout = 15_000;

    private readonly ConcurrentQueue<Task<ReceivedResponse?>> _responses = new();
    private IBrowserContext? _context;
    private IPage? _page;

    protected SpaSampleApp App => fixture.App;

    protected IBrowserContext Context => _context ?? throw new InvalidOperationException("The context is opened when the test starts.");

    protected IPage Page => _page ?? throw new InvalidOperationException("The page is opened when the test starts.");

    public async ValueTask InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 760 } });
        _context.SetDefaultTimeout(WaitTimeout);
        _context.Response += (_, response) => _responses.Enqueue(CaptureAsync(response));
        _page = await _context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_page is not null && TestContext.Current.TestState?.Result == TestResult.Failed)
        {
            await SaveArtifactsAsync(_page);
        }

        if (_context is not null)
        {
            await _context.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Every response of the app the browser received so far, with its URL, headers and body.</summary>
    protected async Task<IReadOnlyList<ReceivedResponse>> ReceivedResponsesAsync()
    {
        var responses = await Task.WhenAll(_responses);
        return [.. responses.OfType<ReceivedResponse>()];
    }

    /// <summary>Opens the SPA, presses "Sign in with Ellipsis Drive", consents at the emulator as <paramref name="user"/>, and waits for the SPA to show the user.</summary>
    protected async Task SignInAsync(string user = "alice")
    {
        await Page.GotoAsync(App.Url("/"));
        await Assertions.Expect(Page.Locator("#sign-in")).ToBeVisibleAsync();
        await Page.ClickAsync("#sign-in");

        var emulator = Regex.Escape(App.Drive.BaseAddress.AbsoluteUri);
        await Assertions.Expect(Page).ToHaveURLAsync(new Regex("^" + emulator), new() { Timeout = WaitTimeout });
        await Page.CheckAsync($"form#consent input[name=user][value={user}]");
        await Page.ClickAsync("#allow");
        await Assertions.Expect(Page).ToHaveURLAsync(new Regex("^" + Regex.Escape(App.Url("/")) + "$"), new() { Timeout = WaitTimeout });
        await Assertions.Expect(Page.Locator("#user-name")).ToHaveTextAsync(user);
    }

    /// <summary>Presses "List My Drive", waits for the proxy's answer and the items, and returns the answer's status.</summary>
    protected async Task<int> ListMyDriveAsync()
    {
        var response = await Page.RunAndWaitForResponseAsync(
            () => Page.ClickAsync("#list-drive"),
            r => r.Url.StartsWith(App.Url("/api/ellipsis/account/root/myDrive"), StringComparison.Ordinal));
        await Assertions.Expect(Page.Locator("#status")).ToHaveTextAsync(new Regex(@"^My Drive: \d+ item\(s\)\.$"));
        return response.Status;
    }

    private async Task<ReceivedResponse?> CaptureAsync(IResponse response)
    {
        if (!Uri.TryCreate(response.Url, UriKind.Absolute, out var uri)
            || Uri.Compare(uri, App.BaseAddress, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            return null;
        }

        var headers = await response.AllHeadersAsync();
        string body;
        try
        {
            body = response.Status is >= 300 and < 400 ? string.Empty : await response.TextAsync();
        }
        catch (PlaywrightException)
        {
            body = string.Empty; // The page went on before the body was read (a redirect's, or an aborted one).
        }

        return new ReceivedResponse(response.Url, response.Status, headers, body);
    }

    private static async Task SaveArtifactsAsync(IPage page)
    {
        try
        {
            Directory.CreateDirectory(BrowserTest.ArtifactsDirectory);
            var name = string.Concat((TestContext.Current.Test?.TestDisplayName ?? "spa-test").Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
            name = name.Length > 100 ? name[..100] : name;
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserTest.ArtifactsDirectory, name + ".png"), FullPage = true });
            await File.WriteAllTextAsync(Path.Combine(BrowserTest.ArtifactsDirectory, name + ".html"), await page.ContentAsync());
        }
        catch (PlaywrightException)
        {
            // The browser is gone: the failure itself says more.
        }
    }
}

/// <summary>A response of the app as the browser received it.</summary>
public sealed record ReceivedResponse(string Url, int Status, IReadOnlyDictionary<string, string> Headers, string Body);
