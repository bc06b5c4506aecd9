using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AspNet.Security.OAuth.EllipsisDrive.Farm;

/// <summary>
/// <c>farm run</c>: starts the farm, signs the users in through nginx, keeps them making API-backed requests, injects
/// the faults one at a time with a recovery period between, and prints the figures (Markdown) counted from the
/// answers the users got, the nodes' stores and the emulator's recorded requests.
/// </summary>
internal static partial class Driver
{
    private static readonly Stopwatch s_clock = Stopwatch.StartNew();

    public static async Task<int> RunAsync(string[] args)
    {
        var longRun = args.Contains("--long");
        var users = int.Parse(FarmUsers.Arg(args, "--users", "200"), CultureInfo.InvariantCulture);
        var recovery = TimeSpan.FromSeconds(double.Parse(FarmUsers.Arg(args, "--recovery-seconds", longRun ? "30" : "8"), CultureInfo.InvariantCulture));
        var baseline = TimeSpan.FromSeconds(double.Parse(FarmUsers.Arg(args, "--baseline-seconds", longRun ? "60" : "10"), CultureInfo.InvariantCulture));
        var think = TimeSpan.FromMilliseconds(double.Parse(FarmUsers.Arg(args, "--think-ms", "1500"), CultureInfo.InvariantCulture));
        var output = FarmUsers.Arg(args, "--out", Path.Combine(Environment.CurrentDirectory, "artifacts", "farm"));
        var accessTokenSeconds = double.Parse(FarmUsers.Arg(args, "--access-token-seconds", "30"), CultureInfo.InvariantCulture);
        var refreshBeforeSeconds = double.Parse(FarmUsers.Arg(args, "--refresh-before-seconds", "10"), CultureInfo.InvariantCulture);
        var storeFailure = FarmUsers.Arg(args, "--store-failure", nameof(EllipsisDriveSessionStoreFailureBehavior.ServiceUnavailable));
        var postgresRetry = args.Contains("--postgres-retry") ? "true" : "false";
        var only = FarmUsers.Arg(args, "--faults", "all");
        bool Runs(string fault) => only == "all" || only.Split(',').Contains(fault);
        Directory.CreateDirectory(output);

        var started = DateTimeOffset.UtcNow;
        var infra = new Infrastructure(users, accessTokenSeconds, refreshBeforeSeconds, ["--store-failure", storeFailure, "--postgres-retry", postgresRetry]);
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => infra.KillAll());
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, _ => infra.KillAll());
        Log($"run directory {infra.Root}; {users} users, think {think.TotalMilliseconds} ms, baseline {baseline.TotalSeconds} s, recovery {recovery.TotalSeconds} s; nodes: StoreFailureBehavior {storeFailure}, PostgreSQL retry {postgresRetry}");
        try
        {
            await infra.StartAllAsync();
            Log($"started: nginx :{infra.NginxPort} -> nodes :{infra.NodePorts[0]}, :{infra.NodePorts[1]}; redis :{infra.RedisPort}; postgres :{infra.PostgresPort}; emulator :{infra.EmulatorPort}");

            var load = new Load(infra, users, think);
            var signIn = Stopwatch.StartNew();
            var signedIn = await load.SignInAllAsync();
            Log($"signed in {signedIn}/{users} users in {signIn.Elapsed.TotalSeconds:F1} s");

            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(stop.Token);
            var phases = new List<Phase>();
            await Task.Delay(baseline);

            if (Runs("node-kill"))
            {
                phases.Add(await FaultAsync("kill -9 node A, restart it", load, recovery, async () =>
                {
                    await infra.KillNodeAsync(0);
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    await infra.StartNodeAsync(0);
                }));
            }

            if (Runs("redis-restart"))
            {
                phases.Add(await FaultAsync("restart Redis (SIGTERM, append-only file)", load, recovery, async () =>
                {
                    await infra.StopRedisAsync();
                    await infra.StartRedisAsync();
                }));
            }

            if (Runs("postgres-restart"))
            {
                phases.Add(await FaultAsync("restart PostgreSQL (fast shutdown)", load, recovery, async () =>
                {
                    await infra.StopPostgresAsync();
                    await infra.StartPostgresAsync();
                }));
            }

            if (Runs("token-503"))
            {
                phases.Add(await FaultAsync("token endpoint 503 for 10 s", load, recovery, async () =>
                {
                    await Post(new Uri(infra.Control, "fault/start"));
                    await Task.Delay(TimeSpan.FromSeconds(10));
                    await Post(new Uri(infra.Control, "fault/stop"));
                }));
            }

            if (Runs("redis-pause-short"))
            {
                phases.Add(await FaultAsync("Redis SIGSTOP 300 ms (< OperationTimeout 500 ms)", load, recovery, async () =>
                {
                    await infra.SignalRedisAsync("STOP");
                    await Task.Delay(TimeSpan.FromMilliseconds(300));
                    await infra.SignalRedisAsync("CONT");
                }));
            }

            if (Runs("redis-pause-long"))
            {
                phases.Add(await FaultAsync("Redis SIGSTOP 3 s (> OperationTimeout)", load, recovery, async () =>
                {
                    await infra.SignalRedisAsync("STOP");
                    await Task.Delay(TimeSpan.FromSeconds(3));
                    await infra.SignalRedisAsync("CONT");
                }));
            }

            if (Runs("threadpool"))
            {
                phases.Add(await FaultAsync("thread-pool pressure in node A (32 blocked work items, 10 s)", load, recovery, async () =>
                {
                    // The node answers this POST late (its thread pool is what is starved): do not wait for it to start the clock.
                    var pressure = Post(new Uri(infra.NodeAddress(0), "farm/pressure?seconds=10&threads=32"));
                    await Task.Delay(TimeSpan.FromSeconds(10));
                    await pressure;
                }));
            }


            await stop.CancelAsync();
            await running;
            var end = load.Now;

            // After the last recovery period: is every user still signed in, and every grant still usable?
            var final = await load.CheckAllAsync();
            var grants = await Get<NodeApp.GrantFigures>(new Uri(infra.NodeAddress(1), $"farm/grants?users={users}"));
            var emulator = await Get<EmulatorApp.Figures>(new Uri(infra.Control, "figures"));
            var workerA = await Get<Dictionary<string, long>>(new Uri(infra.NodeAddress(0), "farm/stats"));
            var workerB = await Get<Dictionary<string, long>>(new Uri(infra.NodeAddress(1), "farm/stats"));

            var report = Report.Write(started, $"StoreFailureBehavior {storeFailure}, PostgreSQL retry {postgresRetry}", users, signedIn, think, baseline, recovery, accessTokenSeconds, refreshBeforeSeconds,
                load, phases, end, final, grants, emulator, workerA, workerB);
            await File.WriteAllTextAsync(Path.Combine(output, "figures.md"), report);
            // Every answer (seconds since the load started, milliseconds, status, user index) and the fault windows, for a closer look.
            await File.WriteAllLinesAsync(Path.Combine(output, "answers.csv"), ["start_s,ms,status,user", .. load.Samples.Select(s => $"{s.Start:F3},{s.Milliseconds:F0},{s.Status},{s.User}")]);
            await File.WriteAllLinesAsync(Path.Combine(output, "faults.csv"), ["fault,start_s,end_s,until_s", .. phases.Select(p => $"\"{p.Name}\",{p.Start:F3},{p.End:F3},{p.Until:F3}")]);
            Console.WriteLine(report);
            Log($"figures written to {Path.Combine(output, "figures.md")}; process logs in {infra.Root}");
            return 0;
        }
        catch (Exception exception)
        {
            Log($"the run failed: {exception.GetType().Name}: {exception.Message}");
            return 1;
        }
        finally
        {
            await infra.DisposeAsync();
            Log("every process stopped");
        }
    }

    private static async Task<Phase> FaultAsync(string name, Load load, TimeSpan recovery, Func<Task> fault)
    {
        var start = load.Now;
        Log("fault: " + name);
        await fault();
        var end = load.Now;
        Log($"fault removed after {end - start:F1} s; recovering {recovery.TotalSeconds} s");
        await Task.Delay(recovery);
        return new Phase(name, start, end, load.Now);
    }

    private static readonly HttpClient s_control = new() { Timeout = TimeSpan.FromSeconds(60) };

    private static async Task Post(Uri uri)
    {
        using var response = await s_control.PostAsync(uri, null);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<T> Get<T>(Uri uri) => (await s_control.GetFromJsonAsync<T>(uri))!;

    public static void Log(string message) =>
        Console.Error.WriteLine($"[farm {DateTime.UtcNow:HH:mm:ss.fff} {s_clock.Elapsed.TotalSeconds,6:F1}s] {message}");
}

/// <summary>A fault: injected at <see cref="Start"/>, removed at <see cref="End"/>, next fault not before <see cref="Until"/> (seconds of the run).</summary>
internal sealed record Phase(string Name, double Start, double End, double Until);

/// <summary>One answer a user got: when the request started, how long it took, its status (0: no answer), whose.</summary>
internal readonly record struct Sample(double Start, double Milliseconds, int Status, int User);

/// <summary>The simulated users: one cookie jar each, through nginx.</summary>
internal sealed partial class Load(Infrastructure infra, int users, TimeSpan think)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly HttpClient[] _browsers = [.. Enumerable.Range(0, users).Select(_ => new HttpClient(
        new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    { Timeout = TimeSpan.FromSeconds(30) })];

    private readonly HttpClient _consent = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly bool[] _signedIn = new bool[users];

    public ConcurrentQueue<Sample> Samples { get; } = new();

    private readonly ConcurrentDictionary<string, int> _signInFailures = new();

    public int SignInFailures => _signInFailures.Values.Sum();

    /// <summary>Where the failed sign-ins stopped: the step and the status, nothing of the request.</summary>
    public string SignInFailureReasons => _signInFailures.IsEmpty ? string.Empty : " (" + string.Join(", ", _signInFailures.Select(f => $"{f.Key}: {f.Value}")) + ")";

    public int SignInServerErrors => _signInFailures
        .Where(f => int.TryParse(f.Key.Split(' ')[^1], out var status) && status >= 500)
        .Sum(f => f.Value);

    public bool IsSignedIn(int user) => user < _signedIn.Length && _signedIn[user];

    public double Now => _clock.Elapsed.TotalSeconds;

    public async Task<int> SignInAllAsync()
    {
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(Enumerable.Range(0, users).Select(async user =>
        {
            await gate.WaitAsync();
            try
            {
                var failure = await SignInAsync(user);
                _signedIn[user] = failure is null;
                if (failure is not null)
                {
                    _signInFailures.AddOrUpdate(failure, 1, (_, count) => count + 1);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return _signedIn.Count(signedIn => signedIn);
    }

    /// <summary>Sign-in as a browser does it: the app's challenge, the emulator's consent form, the callback, the landing page.</summary>
    /// <returns><see langword="null"/> when signed in, else the step that failed and its status.</returns>
    private async Task<string?> SignInAsync(int user)
    {
        var browser = _browsers[user];
        try
        {
            using var challenge = await browser.GetAsync(new Uri(infra.Farm, "login" + (FarmUsers.IsBackground(user) ? "?background=true" : string.Empty)));
            if (challenge.StatusCode != HttpStatusCode.Found)
            {
                return $"challenge {(int)challenge.StatusCode}";
            }

            var authorize = challenge.Headers.Location!;
            var html = await _consent.GetStringAsync(authorize);
            var requestId = RequestId().Match(html);
            if (!requestId.Success)
            {
                return "consent page";
            }

            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["request_id"] = WebUtility.HtmlDecode(requestId.Groups[1].Value),
                ["user"] = FarmUsers.Name(user),
                ["decision"] = "allow",
            });
            using var consent = await _consent.PostAsync(new Uri(authorize, "/v3/oauth/authorize/consent"), form);
            if (consent.StatusCode != HttpStatusCode.Found)
            {
                return $"consent {(int)consent.StatusCode}";
            }

            using var callback = await browser.GetAsync(consent.Headers.Location!);
            if (callback.StatusCode != HttpStatusCode.Found)
            {
                return $"callback {(int)callback.StatusCode}";
            }

            using var landing = await browser.GetAsync(new Uri(infra.Farm, callback.Headers.Location!));
            return landing.StatusCode == HttpStatusCode.OK ? null : $"landing {(int)landing.StatusCode}";
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return exception.GetType().Name;
        }
    }

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, users).Where(user => _signedIn[user]).Select(async user =>
    {
        // Spread the users over the think time so that requests do not come in waves.
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * think.TotalMilliseconds), CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            Samples.Enqueue(await RequestAsync(user));
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(think.TotalMilliseconds * (0.5 + Random.Shared.NextDouble())), stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }));

    /// <summary>One request per signed-in user, after the load: 200 (still signed in) or not.</summary>
    public async Task<Sample[]> CheckAllAsync()
    {
        using var gate = new SemaphoreSlim(16);
        return await Task.WhenAll(Enumerable.Range(0, users).Where(user => _signedIn[user]).Select(async user =>
        {
            await gate.WaitAsync();
            try
            {
                return await RequestAsync(user);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private async Task<Sample> RequestAsync(int user)
    {
        var start = Now;
        int status;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(infra.Farm, "api/drive"));
            request.Headers.Add("X-Requested-With", "XMLHttpRequest");
            request.Headers.Add("Accept", "application/json");
            using var response = await _browsers[user].SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            status = (int)response.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            status = 0;
        }

        return new Sample(start, (Now - start) * 1000, status, user);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"request_id\" value=\"([^\"]*)\">")]
    private static partial Regex RequestId();
}
