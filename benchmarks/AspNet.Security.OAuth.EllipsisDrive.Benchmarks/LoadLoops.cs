using System.Diagnostics;
using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

/// <summary>
/// The in-process measurements BenchmarkDotNet does not fit: throughput under concurrency and CPU time per
/// sign-in (baseline and candidates interleaved in short alternating slices, so machine noise falls on all of
/// them alike), freshness counts, the refresh storm, and cookie sizes.
/// </summary>
internal static class LoadLoops
{
    private static readonly Uri ApiUrl = new(BenchApp.Origin, "/api");

    /// <summary>
    /// Requests of the throughput loops that were not answered 200, per mode: on a loaded machine a session-store read can
    /// overrun its timeout, and the user is then answered as signed out. Counted and printed rather than fatal.
    /// </summary>
    public static System.Collections.Concurrent.ConcurrentDictionary<AuthMode, int> NotOk { get; } = new();

    public static async Task<int> SendApiAsync(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiUrl);
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"/api answered {(int)response.StatusCode}.");
        }

        return (await response.Content.ReadAsByteArrayAsync()).Length;
    }

    /// <summary>
    /// Throughput, CPU time and allocations per authenticated request, each mode in turn for <paramref name="slice"/>
    /// with <paramref name="concurrency"/> requests in flight, <paramref name="rounds"/> times (the first round warms up
    /// and is not counted; the order rotates each round).
    /// </summary>
    public static async Task<IReadOnlyList<LoadResult>> ThroughputAsync(IReadOnlyList<AuthMode> modes, int rounds, TimeSpan slice, int concurrency)
    {
        var emulator = await BenchEnvironment.EmulatorAsync();
        var redis = await BenchEnvironment.RedisAsync();
        var apps = new List<(AuthMode Mode, BenchApp App, HttpClient Client, string Cookie)>();
        try
        {
            foreach (var mode in modes)
            {
                var app = await BenchApp.StartAsync(mode, emulator, redis: redis, redisPrefix: "bench-load:" + Guid.NewGuid().ToString("N") + ":");
                using var browser = await BenchEnvironment.SignInAsync(app);
                apps.Add((mode, app, app.Server.CreateClient(), browser.CookieHeader("/api")));
            }

            var totals = apps.ToDictionary(a => a.Mode, _ => new LoadTotals());
            for (var round = 0; round < rounds; round++)
            {
                var slices = new Dictionary<AuthMode, Sample>();
                for (var i = 0; i < apps.Count; i++)
                {
                    var (mode, _, client, cookie) = apps[(i + round) % apps.Count];
                    slices[mode] = await RunSliceAsync(mode, client, cookie, slice, concurrency);
                }

                if (round > 0)
                {
                    var baseline = slices[apps[0].Mode];
                    foreach (var (mode, sample) in slices)
                    {
                        totals[mode].Add(sample, baseline);
                    }
                }
            }

            return [.. apps.Select(a => totals[a.Mode].ToResult(a.Mode))];
        }
        finally
        {
            foreach (var (_, app, client, _) in apps)
            {
                client.Dispose();
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Wall time, process CPU time and allocations per sign-in: blocks of <paramref name="block"/> sign-ins, the
    /// hand-configured AddOAuth and the package alternating (which goes first alternates too), <paramref name="rounds"/>
    /// counted rounds after one warm-up round. Blocks, because the process CPU clock ticks in 10 ms steps on Linux.
    /// </summary>
    public static async Task<IReadOnlyList<LoadResult>> SignInAsync(int rounds, int block)
    {
        var emulator = await BenchEnvironment.EmulatorAsync();
        await using var hand = await BenchApp.StartAsync(AuthMode.HandConfiguredOAuth, emulator);
        await using var package = await BenchApp.StartAsync(AuthMode.EllipsisDriveCookie, emulator);
        var totals = new Dictionary<AuthMode, LoadTotals> { [hand.Mode] = new(), [package.Mode] = new() };

        for (var round = 0; round <= rounds; round++)
        {
            var samples = new Dictionary<AuthMode, Sample>();
            foreach (var app in round % 2 == 0 ? new[] { hand, package } : [package, hand])
            {
                samples[app.Mode] = await MeasureAsync(async () =>
                {
                    for (var i = 0; i < block; i++)
                    {
                        using var browser = await BenchEnvironment.SignInAsync(app);
                    }

                    return block;
                });
            }

            if (round > 0)
            {
                totals[hand.Mode].Add(samples[hand.Mode], samples[hand.Mode]);
                totals[package.Mode].Add(samples[package.Mode], samples[hand.Mode]);
            }

            emulator.ClearRequests(); // the emulator's record grows with every request
        }

        return [totals[hand.Mode].ToResult(hand.Mode), totals[package.Mode].ToResult(package.Mode)];
    }

    /// <summary>With a valid token: token-endpoint calls and session-store reads per authenticated request.</summary>
    public static async Task<IReadOnlyList<FreshnessResult>> FreshnessAsync(IReadOnlyList<AuthMode> modes, int requests)
    {
        var emulator = await BenchEnvironment.EmulatorAsync();
        var redis = await BenchEnvironment.RedisAsync();
        var results = new List<FreshnessResult>();
        foreach (var mode in modes)
        {
            await using var app = await BenchApp.StartAsync(mode, emulator, redis: redis, redisPrefix: "bench-fresh:" + Guid.NewGuid().ToString("N") + ":");
            using var browser = await BenchEnvironment.SignInAsync(app);
            using var client = app.Server.CreateClient();
            var cookie = browser.CookieHeader("/api");
            emulator.ClearRequests();
            var readsBefore = app.Cache?.Reads ?? 0;
            for (var i = 0; i < requests; i++)
            {
                await SendApiAsync(client, cookie);
            }

            var tokenCalls = emulator.CountRequests(EmulatorEndpoint.TokenRefresh) + emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode);
            results.Add(new FreshnessResult(mode, requests, (double)tokenCalls / requests, app.Cache is null ? null : (double)(app.Cache.Reads - readsBefore) / requests));
        }

        return results;
    }

    /// <summary>
    /// <paramref name="requests"/> concurrent requests of one signed-in user whose access token has expired, on one
    /// node, or spread over two nodes sharing Redis (<paramref name="twoNodes"/>): token-endpoint calls and latencies.
    /// </summary>
    public static async Task<StormResult> StormAsync(AuthMode mode, int requests, bool twoNodes)
    {
        var emulator = await BenchEnvironment.EmulatorAsync();
        var redis = await BenchEnvironment.RedisAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = "bench-storm:" + Guid.NewGuid().ToString("N") + ":";
        var keys = new EphemeralDataProtectionProvider();
        var secondConnection = twoNodes ? await BenchEnvironment.NewRedisConnectionAsync() : null;
        await using var first = await BenchApp.StartAsync(mode, emulator, time, redis, prefix, keys);
        await using var second = twoNodes ? await BenchApp.StartAsync(mode, emulator, time, secondConnection, prefix, keys) : null;
        try
        {
            using var browser = await BenchEnvironment.SignInAsync(first);
            var cookie = browser.CookieHeader("/api");
            using var firstClient = first.Server.CreateClient();
            using var secondClient = second?.Server.CreateClient();

            time.Advance(TimeSpan.FromHours(2)); // the emulator's tokens live one hour
            emulator.ClearRequests();

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var tasks = Enumerable.Range(0, requests).Select(i => Task.Run(async () =>
            {
                await start.Task;
                var stopwatch = Stopwatch.StartNew();
                await SendApiAsync(secondClient is not null && i % 2 == 1 ? secondClient : firstClient, cookie);
                return stopwatch.Elapsed;
            })).ToList();
            start.SetResult();
            var latencies = await Task.WhenAll(tasks);

            return new StormResult(
                mode,
                twoNodes,
                requests,
                emulator.CountRequests(EmulatorEndpoint.TokenRefresh),
                latencies.Max(),
                Percentile(latencies, 0.5));
        }
        finally
        {
            if (secondConnection is not null)
            {
                await secondConnection.DisposeAsync();
            }
        }
    }

    /// <summary>The auth cookie's size (all chunks, <c>name=value</c>) after a sign-in, per mode.</summary>
    public static async Task<IReadOnlyList<(AuthMode Mode, int Bytes, int Chunks)>> CookieSizesAsync(IReadOnlyList<AuthMode> modes)
    {
        var emulator = await BenchEnvironment.EmulatorAsync();
        var redis = await BenchEnvironment.RedisAsync();
        var sizes = new List<(AuthMode, int, int)>();
        foreach (var mode in modes)
        {
            await using var app = await BenchApp.StartAsync(mode, emulator, redis: redis, redisPrefix: "bench-size:" + Guid.NewGuid().ToString("N") + ":");
            using var browser = await BenchEnvironment.SignInAsync(app);
            sizes.Add((mode, browser.AuthCookieBytes(), browser.AuthCookieChunks()));
        }

        return sizes;
    }

    /// <summary>
    /// Redis memory per signed-in session: <paramref name="sessions"/> sign-ins (one browser each) per mode under a key
    /// prefix of its own, then <c>MEMORY USAGE</c> (exact, <c>SAMPLES 0</c>) of every key under that prefix. The
    /// sign-in's used-state record (the handler's replay guard, kept for RemoteAuthenticationTimeout) is counted apart:
    /// it is the same in every mode that uses this handler, and not part of the session.
    /// </summary>
    public static async Task<IReadOnlyList<RedisMemoryResult>> RedisMemoryAsync(IReadOnlyList<AuthMode> modes, int sessions)
    {
        var emulator = await BenchEnvironment.EmulatorAsync();
        var redis = await BenchEnvironment.RedisAsync() ?? throw new InvalidOperationException("Redis is not running.");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var database = redis.GetDatabase();
        var results = new List<RedisMemoryResult>();
        foreach (var mode in modes)
        {
            var prefix = "bench-mem:" + Guid.NewGuid().ToString("N") + ":";
            await using var app = await BenchApp.StartAsync(mode, emulator, redis: redis, redisPrefix: prefix);
            for (var i = 0; i < sessions; i++)
            {
                using var browser = await BenchEnvironment.SignInAsync(app);
            }

            long sessionBytes = 0, sessionKeys = 0, otherBytes = 0, otherKeys = 0, valueBytes = 0;
            await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 1000))
            {
                var bytes = (long)await database.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
                if (key.ToString().Contains("UsedState", StringComparison.Ordinal))
                {
                    otherBytes += bytes;
                    otherKeys++;
                }
                else
                {
                    sessionBytes += bytes;
                    sessionKeys++;
                    valueBytes += (long)await database.ExecuteAsync("HSTRLEN", key, "data") + key.ToString().Length;
                }
            }

            results.Add(new RedisMemoryResult(mode, sessions, (double)sessionKeys / sessions, (double)sessionBytes / sessions, (double)valueBytes / sessions, (double)otherBytes / Math.Max(1, otherKeys)));
            emulator.ClearRequests();
        }

        return results;
    }

    private static async Task<Sample> RunSliceAsync(AuthMode mode, HttpClient client, string cookie, TimeSpan slice, int concurrency)
    {
        long completed = 0;
        return await MeasureAsync(async () =>
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(slice.TotalSeconds * Stopwatch.Frequency);
            var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    try
                    {
                        await SendApiAsync(client, cookie);
                    }
                    catch (InvalidOperationException)
                    {
                        NotOk.AddOrUpdate(mode, 1, static (_, count) => count + 1);
                    }

                    Interlocked.Increment(ref completed);
                }
            }));
            await Task.WhenAll(workers);
            return completed;
        });
    }

    private static async Task<Sample> MeasureAsync(Func<Task<long>> work)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        var operations = await work();
        stopwatch.Stop();
        process.Refresh();
        return new Sample(operations, stopwatch.Elapsed, process.TotalProcessorTime - cpuBefore, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
    }

    private static TimeSpan Percentile(TimeSpan[] values, double percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(percentile * sorted.Length))];
    }

    private readonly record struct Sample(long Operations, TimeSpan Wall, TimeSpan Cpu, long Allocated);

    private sealed class LoadTotals
    {
        private readonly List<double> _throughputRatios = [];
        private readonly List<double> _cpuRatios = [];
        private long _operations;
        private TimeSpan _wall;
        private TimeSpan _cpu;
        private long _allocated;

        /// <summary>Adds a slice, and its ratios to the baseline's slice of the same round.</summary>
        public void Add(Sample sample, Sample? baseline)
        {
            _operations += sample.Operations;
            _wall += sample.Wall;
            _cpu += sample.Cpu;
            _allocated += sample.Allocated;
            if (baseline is { } b)
            {
                _throughputRatios.Add((sample.Operations / sample.Wall.TotalSeconds) / (b.Operations / b.Wall.TotalSeconds));
                _cpuRatios.Add((sample.Cpu.TotalMicroseconds / sample.Operations) / (b.Cpu.TotalMicroseconds / b.Operations));
            }
        }

        public LoadResult ToResult(AuthMode mode) => new(
            mode,
            _operations,
            _operations / _wall.TotalSeconds,
            _cpu.TotalMicroseconds / _operations,
            (double)_allocated / _operations,
            _wall.TotalMicroseconds / _operations,
            Median(_throughputRatios),
            Median(_cpuRatios));

        private static double? Median(List<double> values)
        {
            if (values.Count == 0)
            {
                return null;
            }

            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }
}

/// <summary>Totals of one mode in an interleaved load loop.</summary>
/// <param name="Mode">The mode.</param>
/// <param name="Operations">Operations counted.</param>
/// <param name="PerSecond">Operations per second of wall time, over all counted slices.</param>
/// <param name="CpuMicrosecondsPerOperation">Process CPU time per operation.</param>
/// <param name="BytesPerOperation">Bytes allocated (whole process) per operation.</param>
/// <param name="WallMicrosecondsPerOperation">Wall time per operation.</param>
/// <param name="MedianThroughputRatio">The median over rounds of this mode's throughput over the baseline's in the same round.</param>
/// <param name="MedianCpuRatio">The median over rounds of this mode's CPU time per operation over the baseline's in the same round.</param>
internal sealed record LoadResult(
    AuthMode Mode,
    long Operations,
    double PerSecond,
    double CpuMicrosecondsPerOperation,
    double BytesPerOperation,
    double WallMicrosecondsPerOperation,
    double? MedianThroughputRatio = null,
    double? MedianCpuRatio = null);

/// <summary>Token-endpoint calls and store reads per request with a valid token.</summary>
internal sealed record RedisMemoryResult(AuthMode Mode, int Sessions, double KeysPerSession, double BytesPerSession, double KeyAndValueBytesPerSession, double UsedStateBytesPerSignIn);

internal sealed record FreshnessResult(AuthMode Mode, int Requests, double TokenCallsPerRequest, double? StoreReadsPerRequest);

/// <summary>What a refresh storm cost.</summary>
internal sealed record StormResult(AuthMode Mode, bool TwoNodes, int Requests, int TokenCalls, TimeSpan Slowest, TimeSpan Median);
