using BenchmarkDotNet.Attributes;

namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

/// <summary>
/// One authenticated request to the protected endpoint with a valid token, per mode, against the same app with
/// plain cookie authentication and no tokens (the baseline).
/// </summary>
[MemoryDiagnoser]
public class AuthenticatedRequestBenchmarks
{
    private readonly Dictionary<AuthMode, (BenchApp App, HttpClient Client, string Cookie)> _apps = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var emulator = await BenchEnvironment.EmulatorAsync();
        var redis = await BenchEnvironment.RedisAsync();
        foreach (var mode in new[] { AuthMode.PlainCookie, AuthMode.EllipsisDriveCookie, AuthMode.EllipsisDriveServerMemory, AuthMode.EllipsisDriveServerRedis })
        {
            if (mode == AuthMode.EllipsisDriveServerRedis && redis is null)
            {
                continue;
            }

            var app = await BenchApp.StartAsync(mode, emulator, redis: redis, redisPrefix: "bench-auth:" + Guid.NewGuid().ToString("N") + ":");
            using var browser = await BenchEnvironment.SignInAsync(app);
            _apps[mode] = (app, app.Server.CreateClient(), browser.CookieHeader("/api"));
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var (app, client, _) in _apps.Values)
        {
            client.Dispose();
            await app.DisposeAsync();
        }

        _apps.Clear();
    }

    [Benchmark(Baseline = true, Description = "Plain cookie, no tokens")]
    public Task<int> PlainCookie() => SendAsync(AuthMode.PlainCookie);

    [Benchmark(Description = "EllipsisDrive, cookie mode")]
    public Task<int> EllipsisDriveCookie() => SendAsync(AuthMode.EllipsisDriveCookie);

    [Benchmark(Description = "EllipsisDrive, server mode (memory)")]
    public Task<int> EllipsisDriveServerMemory() => SendAsync(AuthMode.EllipsisDriveServerMemory);

    [Benchmark(Description = "EllipsisDrive, server mode (Redis)")]
    public Task<int> EllipsisDriveServerRedis() => SendAsync(AuthMode.EllipsisDriveServerRedis);

    private async Task<int> SendAsync(AuthMode mode)
    {
        var (_, client, cookie) = _apps[mode];
        return await LoadLoops.SendApiAsync(client, cookie);
    }
}
