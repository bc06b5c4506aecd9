using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// One emulator and one app per test, sharing a fake clock; access tokens live one hour.
/// </summary>
public abstract class TokenTestBase : IAsyncDisposable
{
    private EllipsisDriveEmulator? _drive;
    private TokenTestHost? _host;

    protected static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);

    // Starts at the real time: the browser's cookie jar judges the handler's state cookie, which expires on this clock,
    // by the real one.
    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected EllipsisDriveEmulator Drive => _drive ?? throw new InvalidOperationException("Call StartAsync first.");

    internal TokenTestHost Host => _host ?? throw new InvalidOperationException("Call StartAsync first.");

    protected int TokenRefreshCalls => Drive.CountRequests(EmulatorEndpoint.TokenRefresh);

    /// <summary>Starts the emulator and the app, and signs alice in through the handler in a new browser.</summary>
    internal async Task<BrowserClient> StartAndSignInAsync(
        bool serverMode, Action<EllipsisDriveEmulatorOptions>? emulator = null, Action<IServiceCollection>? services = null)
    {
        var options = new EllipsisDriveEmulatorOptions { TimeProvider = Time, AccessTokenLifetime = AccessTokenLifetime };
        emulator?.Invoke(options);
        _drive = await EllipsisDriveEmulator.StartAsync(options, TestContext.Current.CancellationToken);
        _host = await TokenTestHost.StartAsync(_drive, Time, serverMode, services);
        var browser = _host.CreateBrowser();
        using var signedIn = await _host.SignInAsync(browser);
        Assert.Equal("alice", await signedIn.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return browser;
    }

    /// <summary>Stops the app and starts it again (same emulator, same clock), as a deployment or a crash would.</summary>
    internal async Task RestartAsync(bool serverMode, Action<IServiceCollection>? services = null)
    {
        await Host.DisposeAsync();
        _host = null;
        _host = await TokenTestHost.StartAsync(Drive, Time, serverMode, services);
    }

    protected void ExpireAccessToken() => Time.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_drive is not null)
        {
            await _drive.DisposeAsync();
        }

        AfterStopped();
        GC.SuppressFinalize(this);
    }

    /// <summary>Cleans up what a test class made for its app (files, directories), once the app and the emulator are stopped.</summary>
    protected virtual void AfterStopped()
    {
    }
}
