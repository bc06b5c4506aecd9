using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Identity.Tests;

/// <summary>
/// One emulator and one Identity app per test, on their own database and key ring, sharing a fake clock; access tokens
/// live one hour and refresh tokens rotate.
/// </summary>
public abstract class IdentityTestBase : IAsyncDisposable
{
    protected static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);

    private readonly List<IdentityTestApp> _apps = [];
    private EllipsisDriveEmulator? _drive;

    // Starts at the real time: the browser's cookie jar judges the handler's state cookie, which expires on this clock,
    // by the real one.
    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    private protected AppFiles Files { get; } = new();

    protected EllipsisDriveEmulator Drive => _drive ?? throw new InvalidOperationException("Call StartAppAsync first.");

    protected int TokenRefreshCalls => Drive.CountRequests(EmulatorEndpoint.TokenRefresh);

    /// <summary>Starts an instance of the app on <see cref="Files"/> (the emulator too, on the first call).</summary>
    private protected async Task<IdentityTestApp> StartAppAsync(Action<EllipsisDriveTokenOptions>? configureTokens = null)
    {
        _drive ??= await EllipsisDriveEmulator.StartAsync(
            new EllipsisDriveEmulatorOptions { TimeProvider = Time, AccessTokenLifetime = AccessTokenLifetime, RotateRefreshTokens = true },
            TestContext.Current.CancellationToken);
        var app = await IdentityTestApp.StartAsync(_drive, Time, Files, configureTokens);
        _apps.Add(app);
        return app;
    }

    /// <summary>Registers a local account with a password in <paramref name="browser"/>, signed in; returns its id.</summary>
    private protected static async Task<string> RegisterAsync(IdentityTestApp.Browser browser, string userName = "ann")
    {
        using var response = await browser.GetAsync("/account/register?userName=" + userName);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"register: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>
    /// Connects Ellipsis Drive to the local account signed in in <paramref name="browser"/>, as a user would: /connect
    /// challenges, <paramref name="driveUser"/> consents at the emulator, the handler's callback signs into Identity's
    /// external cookie and sends the browser to /connect/callback, which links the login and connects the grant.
    /// </summary>
    private protected async Task ConnectAsync(IdentityTestApp.Browser browser, string driveUser = "alice")
    {
        using var challenge = await browser.GetAsync("/connect");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var callbackUrl = await Drive.ConsentAsync(challenge.Headers.Location!, driveUser, allow: true, TestContext.Current.CancellationToken);

        using var callback = await browser.GetAsync(callbackUrl);
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/connect/callback", callback.Headers.Location!.OriginalString);

        Assert.Equal("connected", await browser.GetStringAsync("/connect/callback"));
    }

    /// <summary>Starts the app, registers a local account and connects alice's Ellipsis Drive to it.</summary>
    private protected async Task<(IdentityTestApp App, IdentityTestApp.Browser Browser, string UserId)> StartConnectedAsync()
    {
        var app = await StartAppAsync();
        var browser = app.CreateBrowser();
        var userId = await RegisterAsync(browser);
        await ConnectAsync(browser);
        return (app, browser, userId);
    }

    /// <summary>Stops <paramref name="app"/> and starts a new instance on the same database and key ring.</summary>
    private protected async Task<IdentityTestApp> RestartAsync(IdentityTestApp app)
    {
        _apps.Remove(app);
        await app.DisposeAsync();
        return await StartAppAsync();
    }

    private protected static async Task<EllipsisDriveGrant?> StoredGrantAsync(IdentityTestApp app, string userKey) =>
        await app.TokenStore.GetAsync(EllipsisDriveDefaults.AuthenticationScheme, userKey, TestContext.Current.CancellationToken);

    protected void ExpireAccessToken() => Time.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));

    /// <summary>The Authorization headers of the API's /account calls, newest last (the handler's own call at sign-in included).</summary>
    protected IReadOnlyList<string?> AccountCallAuthorizations() =>
        [.. Drive.Requests.Where(r => r.Endpoint == EmulatorEndpoint.Account).Select(r => r.Headers.TryGetValue("Authorization", out var value) ? value : null)];

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        if (_drive is not null)
        {
            await _drive.DisposeAsync();
        }

        Files.Dispose();
        GC.SuppressFinalize(this);
    }
}
