using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

/// <summary>
/// Runs every measurement in one process and prints (and saves) a Markdown summary with each figure, its ratio to
/// the baseline measured in the same run, the absolute numbers and the target.
/// <c>--all</c> runs everything (about 5 minutes); <c>--quick</c> runs everything briefly, to check the harness.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        string[] sections = ["--requests", "--peer", "--signin", "--freshness", "--storm", "--cookies"];
        if (!args.Contains("--all") && !args.Contains("--quick") && !args.Any(sections.Contains))
        {
            Console.WriteLine("usage: dotnet run -c Release --project benchmarks/AspNet.Security.OAuth.EllipsisDrive.Benchmarks -- --all | --quick | " + string.Join(" ", sections));
            return 2;
        }

        var quick = args.Contains("--quick");
        var all = quick || args.Contains("--all");
        bool Run(string section) => all || args.Contains(section);
        var started = DateTimeOffset.UtcNow;
        var loadBefore = ReadLoadAverage();
        var report = new StringBuilder();
        var artifacts = Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts");
        try
        {
            var redis = await BenchEnvironment.RedisAsync();
            var redisNote = redis is null ? "redis-server is not installed: the Redis rows are skipped." : null;
            var authModes = new List<AuthMode> { AuthMode.PlainCookie, AuthMode.EllipsisDriveCookie, AuthMode.EllipsisDriveServerMemory };
            if (redis is not null)
            {
                authModes.Add(AuthMode.EllipsisDriveServerRedis);
            }

            // The throughput loop also runs a reference row: cookie mode's cost split into cookie and token read.
            List<AuthMode> throughputModes = [.. authModes, AuthMode.EllipsisDriveCookieNoTokenRead];

            // BenchmarkDotNet runs in process, so in the same process as the load loops.
            var config = Config(quick, artifacts, redis is null);
            var requestSummary = Run("--requests") ? BenchmarkRunner.Run<AuthenticatedRequestBenchmarks>(config) : null;
            var throughput = Run("--requests")
                ? await LoadLoops.ThroughputAsync(throughputModes, rounds: quick ? 3 : RequestRounds + 1, TimeSpan.FromMilliseconds(quick ? 200 : 300), concurrency: Concurrency)
                : null;
            // Server mode on Redis against the hand-written ITicketStore a farm user would write: the peer with Data
            // Protection on the stored bytes is the baseline, the one without it a second row.
            List<AuthMode> peerModes = [AuthMode.PeerTicketStoreRedisProtected, AuthMode.EllipsisDriveServerRedis, AuthMode.PeerTicketStoreRedisPlain];
            var peerThroughput = Run("--peer") && redis is not null
                ? await LoadLoops.ThroughputAsync(peerModes, rounds: quick ? 3 : RequestRounds + 1, TimeSpan.FromMilliseconds(quick ? 200 : 300), concurrency: Concurrency)
                : null;
            var peerMemory = Run("--peer") && redis is not null ? await LoadLoops.RedisMemoryAsync(peerModes, sessions: quick ? 20 : PeerSessions) : null;
            var signInSummary = Run("--signin") ? BenchmarkRunner.Run<SignInBenchmarks>(config) : null;
            var signIns = Run("--signin") ? await LoadLoops.SignInAsync(rounds: quick ? 3 : SignInRounds, block: quick ? 10 : SignInBlock) : null;
            var freshness = Run("--freshness") ? await LoadLoops.FreshnessAsync([.. authModes.Skip(1)], requests: quick ? 100 : 1000) : null;
            List<StormResult>? storms = null;
            if (Run("--storm"))
            {
                List<(AuthMode Mode, bool TwoNodes)> setups = [(AuthMode.EllipsisDriveCookie, false), (AuthMode.EllipsisDriveServerMemory, false)];
                if (redis is not null)
                {
                    setups.Add((AuthMode.EllipsisDriveServerRedis, false));
                    setups.Add((AuthMode.EllipsisDriveServerRedis, true));
                }

                storms = [];
                foreach (var (mode, twoNodes) in setups)
                {
                    await LoadLoops.StormAsync(mode, 100, twoNodes); // warm-up: the refresh path's first run pays for JIT
                    storms.Add(await LoadLoops.StormAsync(mode, 100, twoNodes));
                }
            }

            var cookies = Run("--cookies") ? await LoadLoops.CookieSizesAsync([AuthMode.PlainCookie, .. authModes.Skip(1), AuthMode.HandConfiguredOAuth]) : null;

            Summarize(report, started, loadBefore, quick, redisNote, requestSummary, signInSummary, throughput, signIns, freshness, storms, cookies);
            if (peerThroughput is not null && peerMemory is not null)
            {
                AppendPeer(report, peerThroughput, peerMemory);
            }
        }
        finally
        {
            await BenchEnvironment.DisposeAsync();
        }

        Directory.CreateDirectory(artifacts);
        var file = Path.Combine(artifacts, "ellipsisdrive-summary.md");
        await File.WriteAllTextAsync(file, report.ToString());
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"(saved to {file})");
        return 0;
    }

    /// <summary>Requests in flight in the throughput loop: enough to keep every core busy.</summary>
    private static int Concurrency => Math.Max(4, Environment.ProcessorCount * 2);

    private const int RequestRounds = 30;

    private const int SignInRounds = 60;

    private const int PeerSessions = 200;

    private const int SignInBlock = 50;

    private static ManualConfig Config(bool quick, string artifacts, bool withoutRedis)
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(quick ? 1 : 3)
            .WithIterationCount(quick ? 3 : 10)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(quick ? 100 : 400));
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
        if (withoutRedis)
        {
            config.AddFilter(new NameFilter(name => !name.Contains("Redis", StringComparison.Ordinal)));
        }

        return config;
    }

    private static void Summarize(
        StringBuilder md,
        DateTimeOffset started,
        string loadBefore,
        bool quick,
        string? redisNote,
        Summary? requests,
        Summary? signIns,
        IReadOnlyList<LoadResult>? throughput,
        IReadOnlyList<LoadResult>? signInLoop,
        IReadOnlyList<FreshnessResult>? freshness,
        IReadOnlyList<StormResult>? storms,
        IReadOnlyList<(AuthMode Mode, int Bytes, int Chunks)>? cookies)
    {
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"## Run of {started:yyyy-MM-dd HH:mm} UTC{(quick ? " (--quick: short, not for the record)" : string.Empty)}");
        md.AppendLine();
        md.AppendLine(inv, $"- Machine: {Environment.ProcessorCount} logical cores ({CpuModel()}), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB memory, {RuntimeInformation.OSDescription}");
        md.AppendLine(inv, $"- Runtime: {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.ProcessArchitecture}), workstation GC, Release; BenchmarkDotNet 0.15.8 in process");
        md.AppendLine(inv, $"- Load average before the run: {loadBefore}; after: {ReadLoadAverage()}; duration {(DateTimeOffset.UtcNow - started).TotalMinutes:F1} min");
        if (redisNote is not null)
        {
            md.AppendLine(inv, $"- {redisNote}");
        }

        md.AppendLine(inv, $"- Requests of the load loops not answered 200 (session store timed out, user answered as signed out): {(LoadLoops.NotOk.IsEmpty ? "none" : string.Join(", ", LoadLoops.NotOk.Select(p => $"{Name(p.Key)} {p.Value}")))}");

        if (requests is not null && throughput is not null)
        {
            AppendRequests(md, requests, throughput);
        }

        if (signIns is not null && signInLoop is not null)
        {
            AppendSignIns(md, signIns, signInLoop);
        }

        if (freshness is not null)
        {
            AppendFreshness(md, freshness);
        }

        if (storms is not null)
        {
            AppendStorms(md, storms);
        }

        if (cookies is not null)
        {
            AppendCookies(md, cookies);
        }
    }

    private static void AppendRequests(StringBuilder md, Summary requests, IReadOnlyList<LoadResult> throughput)
    {
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine();
        md.AppendLine("### Authenticated request with a valid token (protected endpoint, token read on every request)");
        md.AppendLine();
        md.AppendLine(inv, $"Interleaved load loop: each mode in turn for 300 ms slices, rotating order, {RequestRounds} counted rounds after one warm-up round, {Concurrency} requests in flight.");
        md.AppendLine();
        md.AppendLine("Ratios are medians over the rounds of (this mode / the baseline in the same round); the absolute numbers are totals over all counted slices.");
        md.AppendLine();
        md.AppendLine("| mode | requests/s | throughput ratio | CPU µs/request | CPU ratio | allocated B/request | alloc ratio | target (throughput) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        var baseline = throughput[0];
        foreach (var row in throughput)
        {
            var ratio = row.MedianThroughputRatio ?? 1;
            md.AppendLine(inv, $"| {Name(row.Mode)} | {row.PerSecond:N0} | {ratio:F3}× | {row.CpuMicrosecondsPerOperation:F1} | {row.MedianCpuRatio ?? 1:F3}× | {row.BytesPerOperation:N0} | {row.BytesPerOperation / baseline.BytesPerOperation:F3}× | {Target(row.Mode, ratio)} |");
        }

        md.AppendLine();
        md.AppendLine("BenchmarkDotNet, one request at a time (Mean is latency; Ratio is candidate / baseline time, so lower is better):");
        md.AppendLine();
        AppendBdn(md, requests);
    }

    private static void AppendPeer(StringBuilder md, IReadOnlyList<LoadResult> throughput, IReadOnlyList<RedisMemoryResult> memory)
    {
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine();
        md.AppendLine("### Server mode on Redis against the hand-written ITicketStore (the peer)");
        md.AppendLine();
        md.AppendLine(inv, $"The same handler, token service and /api endpoint; only the session store differs. Interleaved load loop as above ({RequestRounds} counted rounds, {Concurrency} requests in flight); the baseline is the peer with Data Protection on the stored bytes.");
        md.AppendLine();
        md.AppendLine("| store | requests/s | throughput ratio | CPU µs/request | CPU ratio | allocated B/request | alloc ratio |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        var baseline = throughput[0];
        foreach (var row in throughput)
        {
            md.AppendLine(inv, $"| {Name(row.Mode)} | {row.PerSecond:N0} | {row.MedianThroughputRatio ?? 1:F3}× | {row.CpuMicrosecondsPerOperation:F1} | {row.MedianCpuRatio ?? 1:F3}× | {row.BytesPerOperation:N0} | {row.BytesPerOperation / baseline.BytesPerOperation:F3}× |");
        }

        md.AppendLine();
        md.AppendLine(inv, $"Redis memory per session ({memory[0].Sessions} sign-ins per store, `MEMORY USAGE ... SAMPLES 0` of every key the app wrote; the handler's used-state record of each sign-in, the same for all three and gone after RemoteAuthenticationTimeout, is shown apart):");
        md.AppendLine();
        md.AppendLine("| store | keys/session | Redis bytes/session (MEMORY USAGE) | ratio to the peer with Data Protection | key + stored value bytes/session | ratio | used-state record, bytes/sign-in |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in memory)
        {
            md.AppendLine(inv, $"| {Name(row.Mode)} | {row.KeysPerSession:F2} | {row.BytesPerSession:N0} | {row.BytesPerSession / memory[0].BytesPerSession:F3}× | {row.KeyAndValueBytesPerSession:N0} | {row.KeyAndValueBytesPerSession / memory[0].KeyAndValueBytesPerSession:F3}× | {row.UsedStateBytesPerSignIn:N0} |");
        }
    }

    private static void AppendSignIns(StringBuilder md, Summary signIns, IReadOnlyList<LoadResult> signInLoop)
    {
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine();
        md.AppendLine("### Sign-in round trip (challenge → emulator consent → callback → cookie)");
        md.AppendLine();
        md.AppendLine(inv, $"Interleaved loop: blocks of {SignInBlock} sign-ins (one at a time), hand-configured AddOAuth and the package alternating, {SignInRounds} counted rounds after one warm-up round; ratios are medians over the rounds; CPU is the whole process (the in-process emulator's share is the same in both rows).");
        md.AppendLine();
        md.AppendLine("| client | sign-ins | wall ms/sign-in | CPU ms/sign-in | ratio (CPU) | allocated KB/sign-in | ratio (alloc) | target |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        var hand = signInLoop[0];
        foreach (var row in signInLoop)
        {
            var cpuRatio = row.MedianCpuRatio ?? 1;
            var allocRatio = row.BytesPerOperation / hand.BytesPerOperation;
            var target = row.Mode == AuthMode.HandConfiguredOAuth ? "baseline" : "(no target: retired, a once-per-session step)";
            md.AppendLine(inv, $"| {Name(row.Mode)} | {row.Operations} | {row.WallMicrosecondsPerOperation / 1000:F2} | {row.CpuMicrosecondsPerOperation / 1000:F2} | {cpuRatio:F3}× | {row.BytesPerOperation / 1024:F1} | {allocRatio:F3}× | {target} |");
        }

        md.AppendLine();
        md.AppendLine("BenchmarkDotNet:");
        md.AppendLine();
        AppendBdn(md, signIns);
    }

    private static void AppendFreshness(StringBuilder md, IReadOnlyList<FreshnessResult> freshness)
    {
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine();
        md.AppendLine("### Freshness with a valid token");
        md.AppendLine();
        md.AppendLine("| mode | requests | token-endpoint calls/request | store reads/request | target |");
        md.AppendLine("|---|---:|---:|---:|---|");
        foreach (var row in freshness)
        {
            var met = row.TokenCallsPerRequest == 0 && (row.StoreReadsPerRequest ?? 0) <= 1;
            md.AppendLine(inv, $"| {Name(row.Mode)} | {row.Requests} | {row.TokenCallsPerRequest:F3} | {(row.StoreReadsPerRequest is { } reads ? reads.ToString("F3", inv) : "– (no store)")} | {Verdict(met, "0 calls, ≤ 1 read")} |");
        }

    }

    private static void AppendStorms(StringBuilder md, IReadOnlyList<StormResult> storms)
    {
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine();
        md.AppendLine("### Refresh storm: 100 concurrent requests of one user whose access token expired");
        md.AppendLine();
        md.AppendLine("Each storm ran twice, with a new app, user and emulator grant each time; the second run is shown (the first warms up the refresh path).");
        md.AppendLine();
        md.AppendLine("| mode | nodes | token-endpoint calls | slowest request | median request | target |");
        md.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var row in storms)
        {
            var met = row.TwoNodes ? row.TokenCalls <= 1 : row.TokenCalls == 1;
            md.AppendLine(inv, $"| {Name(row.Mode)} | {(row.TwoNodes ? 2 : 1)} | {row.TokenCalls} | {row.Slowest.TotalMilliseconds:F0} ms | {row.Median.TotalMilliseconds:F0} ms | {Verdict(met, row.TwoNodes ? "≤ 1 call" : "exactly 1 call")} |");
        }

    }

    private static void AppendCookies(StringBuilder md, IReadOnlyList<(AuthMode Mode, int Bytes, int Chunks)> cookies)
    {
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine();
        md.AppendLine("### Auth cookie size after sign-in");
        md.AppendLine();
        md.AppendLine("| mode | bytes (name=value, all chunks) | chunks | ratio to plain cookie |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var (mode, bytes, chunks) in cookies)
        {
            md.AppendLine(inv, $"| {Name(mode)} | {bytes:N0} | {chunks} | {(double)bytes / cookies[0].Bytes:F2}× |");
        }
    }

    private static void AppendBdn(StringBuilder md, Summary summary)
    {
        var inv = CultureInfo.InvariantCulture;
        var reports = summary.Reports.Where(r => r.ResultStatistics is not null).ToList();
        var baseline = reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Baseline);
        md.AppendLine("| benchmark | mean | ratio | allocated | alloc ratio |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var report in reports)
        {
            var mean = report.ResultStatistics!.Mean;
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            var baseMean = baseline?.ResultStatistics?.Mean ?? mean;
            var baseAllocated = baseline is null ? allocated : baseline.GcStats.GetBytesAllocatedPerOperation(baseline.BenchmarkCase) ?? allocated;
            md.AppendLine(inv, $"| {report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo} | {FormatTime(mean)} | {mean / baseMean:F3} | {allocated:N0} B | {(double)allocated / baseAllocated:F3} |");
        }
    }

    private static string FormatTime(double nanoseconds) => nanoseconds switch
    {
        >= 1_000_000 => (nanoseconds / 1_000_000).ToString("F2", CultureInfo.InvariantCulture) + " ms",
        _ => (nanoseconds / 1_000).ToString("F1", CultureInfo.InvariantCulture) + " µs",
    };

    private static string Target(AuthMode mode, double ratio) => mode switch
    {
        AuthMode.PlainCookie => "baseline",
        AuthMode.EllipsisDriveCookie => "(no target; ≈ 0.92× expected: its cookie is larger)",
        AuthMode.EllipsisDriveServerMemory => Verdict(ratio >= 0.93, "≥ 0.93×"),
        AuthMode.EllipsisDriveCookieNoTokenRead => "(reference)",
        _ => "(no target)",
    };

    private static string Verdict(bool met, string target) => (met ? "met" : "**missed**") + " (" + target + ")";

    private static string Name(AuthMode mode) => mode switch
    {
        AuthMode.PlainCookie => "plain cookie, no tokens",
        AuthMode.EllipsisDriveCookie => "EllipsisDrive, cookie mode",
        AuthMode.EllipsisDriveServerMemory => "EllipsisDrive, server mode (memory)",
        AuthMode.EllipsisDriveServerRedis => "EllipsisDrive, server mode (Redis)",
        AuthMode.EllipsisDriveCookieNoTokenRead => "reference: cookie-mode cookie, endpoint without token read",
        AuthMode.PeerTicketStoreRedisProtected => "peer: hand-written ITicketStore on Redis, Data Protection",
        AuthMode.PeerTicketStoreRedisPlain => "peer: hand-written ITicketStore on Redis, no Data Protection",
        _ => "AddOAuth configured by hand",
    };

    private static string ReadLoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
