using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

/// <summary>
/// What every measurement shares in one process: the emulator (started once) and, when <c>redis-server</c> is
/// installed, one Redis server and connection.
/// </summary>
internal static class BenchEnvironment
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static EllipsisDriveEmulator? _emulator;
    private static RedisServer? _redis;
    private static IConnectionMultiplexer? _redisConnection;
    private static bool _redisTried;

    public static async Task<EllipsisDriveEmulator> EmulatorAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _emulator ??= await EllipsisDriveEmulator.StartAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Gets the shared Redis connection, or <see langword="null"/> when <c>redis-server</c> is not installed.</summary>
    /// <returns>The connection, or <see langword="null"/>.</returns>
    public static async Task<IConnectionMultiplexer?> RedisAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (!_redisTried)
            {
                _redisTried = true;
                _redis = await RedisServer.TryStartAsync();
                _redisConnection = _redis is null ? null : await _redis.ConnectAsync();
            }

            return _redisConnection;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Opens another connection to the shared Redis (a second node has its own).</summary>
    /// <returns>The connection.</returns>
    public static async Task<IConnectionMultiplexer> NewRedisConnectionAsync() =>
        await (_redis ?? throw new InvalidOperationException("Redis is not running.")).ConnectAsync();

    /// <summary>
    /// Signs a fresh browser in: the baseline through <c>/login-plain</c>, every remote scheme through a real
    /// round trip (challenge, the emulator's consent page over HTTP, the callback).
    /// </summary>
    /// <param name="app">The application.</param>
    /// <param name="browser">The browser; <see langword="null"/> for a new one.</param>
    /// <returns>The signed-in browser.</returns>
    public static async Task<BenchBrowser> SignInAsync(BenchApp app, BenchBrowser? browser = null)
    {
        browser ??= new BenchBrowser(app.Server);
        if (app.Mode == AuthMode.PlainCookie)
        {
            using var login = await browser.GetAsync("/login-plain");
            Expect(login, HttpStatusCode.OK, "plain sign-in");
            return browser;
        }

        var emulator = await EmulatorAsync();
        using var challenge = await browser.GetAsync("/challenge");
        Expect(challenge, HttpStatusCode.Redirect, "challenge");
        var callbackUrl = await emulator.ConsentAsync(challenge.Headers.Location!, "alice");
        using var callback = await browser.GetAsync(callbackUrl);
        Expect(callback, HttpStatusCode.Redirect, "callback");
        if (callback.Headers.Location?.OriginalString != "/api")
        {
            throw new InvalidOperationException($"{app.Mode}: the callback did not sign in (Location {callback.Headers.Location}).");
        }

        return browser;
    }

    public static async ValueTask DisposeAsync()
    {
        if (_redisConnection is not null)
        {
            await _redisConnection.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    public static void Expect(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"{what}: expected {(int)status}, got {(int)response.StatusCode}.");
        }
    }
}
