using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// A fresh browser context (no cookies) and page per test. Every document the app serves is kept, so a test can
/// check that none of them shows a token, a code or a secret. When a test fails, a screenshot and the page's HTML
/// are written to <c>browser-artifacts/</c> next to the test assembly.
/// </summary>
public abstract class BrowserTest(BrowserFixture browser) : IAsyncLifetime
{
    private readonly ConcurrentQueue<Task<ServedDocument?>> _documents = new();
    private IBrowserContext? _context;
    private IPage? _page;

    private const float WaitTimeout = 15_000;

    public static string ArtifactsDirectory => Path.Combine(AppContext.BaseDirectory, "browser-artifacts");

    protected IPage Page => _page ?? throw new InvalidOperationException("The page is opened when the test starts.");

    protected abstract SampleApp App { get; }

    public virtual async ValueTask InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 760 } });
        _context.SetDefaultTimeout(WaitTimeout);
        _page = await _context.NewPageAsync();
        _page.Response += (_, response) => _documents.Enqueue(CaptureAsync(response));
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_page is not null && TestContext.Current.TestState?.Result == TestResult.Failed)
        {
            await SaveArtifactsAsync(_page, LogsSoFar());
        }

        if (_context is not null)
        {
            await _context.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>What the app logged, or nothing when it never started.</summary>
    private IEnumerable<string> LogsSoFar()
    {
        try
        {
            return [.. App.Logs.Lines];
        }
        catch (InvalidOperationException)
        {
            return [];
        }
    }

    /// <summary>Every HTML document the app answered so far: its URL and body.</summary>
    protected async Task<IReadOnlyList<ServedDocument>> ServedDocumentsAsync()
    {
        var documents = await Task.WhenAll(_documents);
        return [.. documents.OfType<ServedDocument>()];
    }

    /// <summary>
    /// No page the app served (nor its URL), and no line it logged, contains a code, an access token, a refresh token
    /// or the client secret that the emulator issued or knows.
    /// </summary>
    protected async Task AssertNoIssuedSecretServedAsync()
    {
        var secrets = App.Drive.IssuedSecrets.Append(App.ClientSecret).ToList();
        Assert.NotEmpty(secrets);
        var documents = await ServedDocumentsAsync();
        Assert.NotEmpty(documents);
        foreach (var document in documents)
        {
            foreach (var secret in secrets)
            {
                Assert.False(document.Html.Contains(secret, StringComparison.Ordinal), $"The page {new Uri(document.Url).AbsolutePath} shows a secret the emulator issued.");
                Assert.False(document.Url.Contains(secret, StringComparison.Ordinal), $"The URL of {new Uri(document.Url).AbsolutePath} carries a secret the emulator issued.");
            }
        }

        var logs = App.Logs.Lines.ToList();
        Assert.NotEmpty(logs);
        foreach (var line in logs)
        {
            var leaked = secrets.FirstOrDefault(secret => line.Contains(secret, StringComparison.Ordinal));
            Assert.True(leaked is null, "The app logged a secret the emulator issued: " + (leaked is null ? line : line.Replace(leaked, "<secret>", StringComparison.Ordinal)));
        }
    }

    /// <summary>
    /// Signs in through the emulator's consent page as <paramref name="user"/>, starting from the current page, and
    /// returns once the browser has left the emulator and loaded the page the redirects end on.
    /// </summary>
    protected async Task ConsentAsync(string user, bool allow = true)
    {
        var emulator = Regex.Escape(App.Drive.BaseAddress.AbsoluteUri);
        await WaitForPageAsync(new Regex("^" + emulator));
        await Page.CheckAsync($"form#consent input[name=user][value={user}]");
        await Page.ClickAsync(allow ? "#allow" : "#deny");
        // A click does not wait for the navigation it starts: wait for the page after the emulator, loaded.
        await WaitForPageAsync(new Regex("^(?!" + emulator + ")"));
    }

    /// <summary>Follows the link <paramref name="selector"/> and returns once the page it points to has loaded.</summary>
    protected async Task FollowLinkAsync(string selector)
    {
        var link = Page.Locator(selector);
        var href = await link.GetAttributeAsync("href") ?? throw new InvalidOperationException($"{selector} has no href.");
        var target = new Uri(new Uri(Page.Url), href).AbsoluteUri;
        Assert.NotEqual(target, Page.Url);
        await link.ClickAsync();
        await WaitForPageAsync(new Regex("^" + Regex.Escape(target) + "$"));
    }

    /// <summary>
    /// Waits until the page is at <paramref name="pathAndQuery"/> (on any origin; with no query given, any query) and
    /// its document has loaded.
    /// </summary>
    protected Task WaitForPathAsync(string pathAndQuery) =>
        WaitForPageAsync(new Regex("^[a-z]+://[^/]+" + Regex.Escape(pathAndQuery) + (pathAndQuery.Contains('?', StringComparison.Ordinal) ? "$" : @"(\?[^#]*)?$")));

    /// <summary>
    /// Waits until the page's URL matches <paramref name="url"/> and its document has loaded. Both are polled in the
    /// browser: <c>WaitForURLAsync</c> subscribes to navigation events after checking the URL, and can miss the one it
    /// waits for (microsoft/playwright-dotnet#3364), which made a sign-in time out now and then.
    /// </summary>
    protected async Task WaitForPageAsync(Regex url)
    {
        await Assertions.Expect(Page).ToHaveURLAsync(url, new() { Timeout = WaitTimeout });
        await Page.WaitForFunctionAsync("() => document.readyState === 'complete'", null, new() { Timeout = WaitTimeout, PollingInterval = 50 });
    }

    /// <summary>From the home page: press "Sign in with Ellipsis Drive", pick the user, Allow; ends on the account page.</summary>
    protected async Task SignInAsync(string user = "alice")
    {
        await Page.GotoAsync(App.Url("/"));
        await Page.ClickAsync("#sign-in");
        await ConsentAsync(user);
        await WaitForPathAsync("/Account");
    }

    protected bool IsOnApp(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && Uri.Compare(uri, App.BaseAddress, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private async Task<ServedDocument?> CaptureAsync(IResponse response)
    {
        if (response.Request.ResourceType != "document" || !IsOnApp(response.Url) || response.Status is >= 300 and < 400)
        {
            return null;
        }

        try
        {
            return new ServedDocument(response.Url, await response.TextAsync());
        }
        catch (PlaywrightException)
        {
            // The page navigated away before the body was read; the next document is captured instead.
            return null;
        }
    }

    private static async Task SaveArtifactsAsync(IPage page, IEnumerable<string> logs)
    {
        try
        {
            Directory.CreateDirectory(ArtifactsDirectory);
            var test = TestContext.Current.Test;
            var displayName = test?.TestDisplayName ?? "test";
            var name = string.Concat(displayName.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
            if (name.Length > 100)
            {
                // Theory cases share a long prefix: keep them apart with a hash of the whole name.
                var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(displayName)))[..8];
                name = name[..100] + "-" + hash;
            }

            await File.WriteAllLinesAsync(Path.Combine(ArtifactsDirectory, name + ".log"), logs);
            await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDirectory, name + ".png"), FullPage = true });
            await File.WriteAllTextAsync(Path.Combine(ArtifactsDirectory, name + ".html"), await page.ContentAsync());
            TestContext.Current.SendDiagnosticMessage($"Browser artifacts of the failure: {Path.Combine(ArtifactsDirectory, name)}.png / .html / .log");
        }
        catch (PlaywrightException)
        {
            // The browser is gone: the failure itself says more than an empty screenshot would.
        }
    }
}

/// <summary>An HTML document the app served.</summary>
public sealed record ServedDocument(string Url, string Html);
