using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// samples/BlazorApp in real Chromium: the typed API client and "refresh now" run inside the interactive server circuit
/// and take its user from the circuit's authentication state, on each transport, prerendered or not. Everything the
/// browser received or sent is kept (documents and their persisted component state, the live DOM, WebSocket frames,
/// long-poll bodies, storage) so that each test can check that no token, code or secret the emulator issued ever reached
/// the browser.
/// </summary>
public abstract class BlazorCircuitTests(BrowserFixture browser, BlazorSampleAppFixture fixture) : IAsyncLifetime
{
    private const float WaitTimeout = 15_000;

    private readonly ConcurrentQueue<Task<byte[]?>> _traffic = new();
    private readonly ConcurrentQueue<string> _pages = new();
    private int _webSockets;
    private int _longPolls;
    private int _refreshesBefore;
    private IBrowserContext? _context;
    private IPage? _page;

    private BlazorSampleApp App => fixture.App;

    private IBrowserContext Context => _context ?? throw new InvalidOperationException("The context is opened when the test starts.");

    /// <summary>Gets how many refreshes reached the emulator since this test signed in.</summary>
    private int Refreshes => App.Drive.CountRequests(EmulatorEndpoint.TokenRefresh) - _refreshesBefore;

    private IPage Page => _page ?? throw new InvalidOperationException("The page is opened when the test starts.");

    public async ValueTask InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 760 } });
        _context.SetDefaultTimeout(WaitTimeout);
        _page = await _context.NewPageAsync();
        _page.WebSocket += (_, socket) =>
        {
            if (IsCircuit(socket.Url))
            {
                Interlocked.Increment(ref _webSockets);
            }

            socket.FrameReceived += (_, frame) => _traffic.Enqueue(Task.FromResult<byte[]?>(Bytes(frame)));
            socket.FrameSent += (_, frame) => _traffic.Enqueue(Task.FromResult<byte[]?>(Bytes(frame)));
        };
        _page.RequestFinished += (_, request) =>
        {
            if (IsCircuit(request.Url) && request.Url.Contains("id=", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _longPolls);
            }

            _traffic.Enqueue(Task.FromResult(request.PostDataBuffer));
            _traffic.Enqueue(BodyAsync(request));
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_page is not null && TestContext.Current.TestState?.Result == TestResult.Failed)
        {
            try
            {
                Directory.CreateDirectory(BrowserTest.ArtifactsDirectory);
                var name = string.Concat((TestContext.Current.Test?.TestDisplayName ?? "blazor").Select(c => char.IsLetterOrDigit(c) ? c : '_'));
                name = name[^Math.Min(name.Length, 120)..];
                await File.WriteAllLinesAsync(Path.Combine(BrowserTest.ArtifactsDirectory, name + ".log"), App.Logs.Lines);
                await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserTest.ArtifactsDirectory, name + ".png"), FullPage = true });
                await File.WriteAllTextAsync(Path.Combine(BrowserTest.ArtifactsDirectory, name + ".html"), await _page.ContentAsync());
            }
            catch (PlaywrightException)
            {
                // The browser is gone: the failure itself says more than an empty screenshot would.
            }
        }

        if (_context is not null)
        {
            await _context.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Blazor_circuit_lists_the_drive_refreshes_in_the_circuit_and_a_reload_keeps_the_refreshed_session()
    {
        await SignInAsync();
        Assert.Equal("Alice Example", await Page.InnerTextAsync("#account-name"));
        await Assertions.Expect(Page.Locator("#api-username")).ToHaveTextAsync("alice");

        // Prerendered, the page arrives with the API's answer (the typed client ran in the page's request); not
        // prerendered, the page arrives without it and the circuit makes the call.
        var served = await (await Context.APIRequest.GetAsync(App.Url("/account"))).TextAsync();
        Assert.Equal(fixture.Prerender, served.Contains("id=\"api-username\"", StringComparison.Ordinal));
        _pages.Enqueue(served);

        // An API call made by an event in the circuit (not by the prerendering request).
        await Page.ClickAsync("#reload-account");
        await Assertions.Expect(Page.Locator("#account-status")).ToContainTextAsync("call 2 of this circuit");

        // "Refresh token now": a refresh made in the circuit, with the refresh token kept on the server.
        await Page.ClickAsync("#refresh-token");
        await Assertions.Expect(Page.Locator("#account-status")).ToContainTextAsync("The access token was refreshed");
        Assert.Equal(1, Refreshes);

        // The API rejects the token: the handler refreshes in the circuit and sends the call again.
        App.Drive.ExpireAccessTokens();
        await Page.ClickAsync("#reload-account");
        await Assertions.Expect(Page.Locator("#account-status")).ToContainTextAsync("call 3 of this circuit");
        Assert.Equal(2, Refreshes);
        await KeepPageAsync();

        // A reload reads the session the circuit saved to: the rotated refresh token is the one kept, so no new refresh is
        // needed now and the next one succeeds (a lost refresh would have ended the session with invalid_grant).
        await Page.ReloadAsync();
        await WaitForPathAsync("/account");
        await WaitInteractiveAsync("#account-panel");
        await Assertions.Expect(Page.Locator("#api-username")).ToHaveTextAsync("alice");
        Assert.Equal(2, Refreshes);
        await Page.ClickAsync("#refresh-token");
        await Assertions.Expect(Page.Locator("#account-status")).ToContainTextAsync("The access token was refreshed");
        Assert.Equal(3, Refreshes);
        await KeepPageAsync();
        await Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserTest.ArtifactsDirectory, "blazor-account-page.png") });

        // My Drive: every page is an event in the circuit.
        await Page.ClickAsync("#open-drive");
        await WaitForPathAsync("/drive");
        await WaitInteractiveAsync("#drive");
        var seen = new List<string>();
        for (var page = 1; ; page++)
        {
            await Assertions.Expect(Page.Locator($"#drive[data-page='{page}'] #drive-items")).ToBeVisibleAsync();
            seen.AddRange(await Page.Locator("#drive-items .item-name").AllInnerTextsAsync());
            await KeepPageAsync();
            if (await Page.QuerySelectorAsync("#next-page") is null)
            {
                break;
            }

            await Page.ClickAsync("#next-page");
        }

        Assert.Equal(
            ["Aerial imagery 2024", "Basemaps", "City overview", "Elevation model", "Field report.pdf", "Parcels", "Projects", "Roads", "Shared flood map of alice", "Survey points"],
            seen.Order(StringComparer.Ordinal));
        await Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserTest.ArtifactsDirectory, "blazor-drive-page.png") });
        await Page.ClickAsync("#root-sharedWithMe");
        await Assertions.Expect(Page.Locator("#drive-items .item-name")).ToHaveTextAsync(["Shared flood map of bob"]);
        Assert.Equal(3, Refreshes);

        AssertTransport();
        await AssertNoSecretReachedTheBrowserAsync();
    }

    [Fact]
    public async Task Blazor_sign_out_ends_the_server_side_session_and_a_copied_cookie_is_rejected()
    {
        await SignInAsync();
        await Assertions.Expect(Page.Locator("#api-username")).ToHaveTextAsync("alice");
        var copied = await Context.CookiesAsync();
        Assert.Contains(copied, cookie => cookie.Name == "BlazorApp.Session");

        await Page.ClickAsync("#sign-out");
        await WaitForPathAsync("/");
        await Assertions.Expect(Page.Locator("#sign-in")).ToBeVisibleAsync();
        await Page.GotoAsync(App.Url("/account"));
        await WaitForPathAsync("/account/signin");

        // The cookie copied before the sign-out names a session that no longer exists.
        await using var other = await browser.Browser.NewContextAsync();
        await other.AddCookiesAsync(copied.Select(cookie => new Cookie
        {
            Name = cookie.Name, Value = cookie.Value, Domain = cookie.Domain, Path = cookie.Path, HttpOnly = cookie.HttpOnly, Secure = cookie.Secure, SameSite = cookie.SameSite,
        }));
        var thief = await other.NewPageAsync();
        await thief.GotoAsync(App.Url("/account"));
        await Assertions.Expect(thief).ToHaveURLAsync(new Regex("/account/signin\\?ReturnUrl=%2Faccount$"), new() { Timeout = WaitTimeout });
        Assert.DoesNotContain("Alice Example", await thief.ContentAsync(), StringComparison.Ordinal);

        AssertTransport();
        await AssertNoSecretReachedTheBrowserAsync();
    }

    /// <summary>From the home page: "Sign in with Ellipsis Drive", alice, Allow; ends on the account page, its circuit running.</summary>
    private async Task SignInAsync()
    {
        _refreshesBefore = App.Drive.CountRequests(EmulatorEndpoint.TokenRefresh);
        await Page.GotoAsync(App.Url("/"));
        Assert.Contains("Emulator mode: no real Ellipsis Drive account is used", await Page.InnerTextAsync("#emulator-banner"));
        await Page.ClickAsync("#sign-in");
        var emulator = Regex.Escape(App.Drive.BaseAddress.AbsoluteUri);
        await Assertions.Expect(Page).ToHaveURLAsync(new Regex("^" + emulator), new() { Timeout = WaitTimeout });
        await Page.CheckAsync("form#consent input[name=user][value=alice]");
        await Page.ClickAsync("#allow");
        await WaitForPathAsync("/account");
        await WaitInteractiveAsync("#account-panel");
        await KeepPageAsync();
    }

    private async Task WaitForPathAsync(string path)
    {
        await Assertions.Expect(Page).ToHaveURLAsync(new Regex("^" + Regex.Escape(App.BaseAddress.AbsoluteUri.TrimEnd('/') + path) + @"(\?[^#]*)?$"), new() { Timeout = WaitTimeout });
        await Page.WaitForFunctionAsync("() => document.readyState === 'complete'", null, new() { Timeout = WaitTimeout, PollingInterval = 50 });
    }

    private Task WaitInteractiveAsync(string selector) =>
        Assertions.Expect(Page.Locator(selector + "[data-interactive='true']")).ToBeVisibleAsync(new() { Timeout = WaitTimeout });

    /// <summary>Keeps the live DOM (what the circuit rendered) and the page's storage, for the leak check.</summary>
    private async Task KeepPageAsync()
    {
        _pages.Enqueue(await Page.ContentAsync());
        _pages.Enqueue(await Page.EvaluateAsync<string>("() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })"));
    }

    private void AssertTransport()
    {
        if (fixture.LongPolling)
        {
            Assert.Equal(0, _webSockets);
            Assert.True(_longPolls > 0, "The circuit made no long-polling request.");
        }
        else
        {
            Assert.True(_webSockets > 0, "The circuit opened no WebSocket.");
        }
    }

    /// <summary>
    /// No code, access token, refresh token or client secret the emulator issued or knows appears in a document, the live
    /// DOM, local or session storage, a WebSocket frame or a long-poll body, nor in the app's log.
    /// </summary>
    private async Task AssertNoSecretReachedTheBrowserAsync()
    {
        await KeepPageAsync();
        var secrets = App.Drive.IssuedSecrets.Append(App.ClientSecret).ToList();
        Assert.True(secrets.Count >= 4, "The emulator issued fewer secrets than a sign-in makes (code, access and refresh token) with the client secret.");
        var traffic = (await Task.WhenAll(_traffic)).OfType<byte[]>().Select(bytes => Encoding.Latin1.GetString(bytes)).ToList();
        Assert.NotEmpty(traffic);
        var seen = traffic.Concat(_pages).ToList();
        var states = PersistedComponentState(seen);
        Assert.NotEmpty(states);
        seen.AddRange(states);
        foreach (var secret in secrets)
        {
            Assert.False(seen.Any(text => text.Contains(secret, StringComparison.Ordinal)), "A secret the emulator issued reached the browser.");
            Assert.False(App.Logs.Lines.Any(line => line.Contains(secret, StringComparison.Ordinal)), "The app logged a secret the emulator issued.");
        }

        Assert.DoesNotContain(seen, text => text.Contains("urn:ellipsisdrive:session-reference", StringComparison.Ordinal));
    }

    /// <summary>
    /// What the pages carried as persisted component state (<c>&lt;!--Blazor-Server-Component-State:...--&gt;</c>),
    /// decrypted with the app's keys: it is protected, so a token in it would not show in the page's text.
    /// </summary>
    private List<string> PersistedComponentState(IEnumerable<string> texts)
    {
        var protector = App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Microsoft.AspNetCore.Components.Server.State");
        var states = new List<string>();
        foreach (var match in texts.SelectMany(text => Regex.Matches(text, "<!--Blazor-Server-Component-State:([A-Za-z0-9+/=]+)-->")).Select(m => m.Groups[1].Value).Distinct())
        {
            var json = Encoding.UTF8.GetString(protector.Unprotect(Convert.FromBase64String(match)));
            states.Add(json);
            using var document = JsonDocument.Parse(json);
            foreach (var entry in document.RootElement.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.String))
            {
                // Each value is the JSON of one persisted item, as base64.
                states.Add(Encoding.UTF8.GetString(Convert.FromBase64String(entry.Value.GetString()!)));
            }
        }

        return states;
    }

    // The circuit's hub on this app, whatever the scheme (ws:// for the WebSocket, http:// for long polling).
    private bool IsCircuit(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Port == App.BaseAddress.Port && uri.AbsolutePath.StartsWith("/_blazor", StringComparison.Ordinal);

    private static byte[] Bytes(IWebSocketFrame frame) => frame.Binary ?? Encoding.UTF8.GetBytes(frame.Text ?? string.Empty);

    private static async Task<byte[]?> BodyAsync(IRequest request)
    {
        try
        {
            return await (await request.ResponseAsync() is { } response ? response.BodyAsync() : Task.FromResult<byte[]>([]));
        }
        catch (PlaywrightException)
        {
            return null; // A redirect or a navigation that discarded the body.
        }
    }
}

public sealed class BlazorWebSocketsTests(BrowserFixture browser, BlazorWebSocketsApp app)
    : BlazorCircuitTests(browser, app), IClassFixture<BlazorWebSocketsApp>;

public sealed class BlazorLongPollingTests(BrowserFixture browser, BlazorLongPollingApp app)
    : BlazorCircuitTests(browser, app), IClassFixture<BlazorLongPollingApp>;

public sealed class BlazorWebSocketsNoPrerenderTests(BrowserFixture browser, BlazorWebSocketsNoPrerenderApp app)
    : BlazorCircuitTests(browser, app), IClassFixture<BlazorWebSocketsNoPrerenderApp>;

public sealed class BlazorLongPollingNoPrerenderTests(BrowserFixture browser, BlazorLongPollingNoPrerenderApp app)
    : BlazorCircuitTests(browser, app), IClassFixture<BlazorLongPollingNoPrerenderApp>;
