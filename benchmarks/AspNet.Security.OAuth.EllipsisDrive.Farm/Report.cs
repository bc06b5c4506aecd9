using System.Globalization;
using System.Text;

namespace AspNet.Security.OAuth.EllipsisDrive.Farm;

/// <summary>The figures of a run as Markdown: every number counted from answers, stores and recorded requests.</summary>
internal static class Report
{
    private const double SlowMilliseconds = 600;

    public static string Write(
        DateTimeOffset started, string configuration, int users, int signedIn, TimeSpan think, TimeSpan baseline, TimeSpan recovery, double accessTokenSeconds, double refreshBeforeSeconds,
        Load load, List<Phase> phases, double end, Sample[] final, NodeApp.GrantFigures grants, EmulatorApp.Figures emulator,
        Dictionary<string, long> workerA, Dictionary<string, long> workerB)
    {
        var samples = load.Samples.ToArray();
        var text = new StringBuilder();
        var commit = Environment.GetEnvironmentVariable("FARM_COMMIT") ?? "unknown";
        text.AppendLine(Inv($"Run of {started:yyyy-MM-dd HH:mm} UTC, commit {commit}, {Environment.ProcessorCount} cores. {users} users ({signedIn} signed in; sign-ins that failed: {load.SignInFailures}{load.SignInFailureReasons}), " +
            $"one request each every {think.TotalSeconds:0.##} s on average (0.5-1.5x), baseline {baseline.TotalSeconds:0} s, recovery {recovery.TotalSeconds:0} s after each fault, " +
            $"access tokens live {accessTokenSeconds:0} s and are refreshed {refreshBeforeSeconds:0} s before expiry. Nodes: {configuration}."));
        text.AppendLine();
        text.AppendLine("| fault | window s | requests in window | 5xx in window | no answer in window | 401 in window (users) | max ms in window | answers > 600 ms in window | 5xx after window | 401 after window (users) | time to recover s |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var phase in phases)
        {
            var inside = samples.Where(s => During(s, phase)).ToArray();
            var after = samples.Where(s => !During(s, phase) && s.Start > phase.Start && s.Start <= phase.Until && !phases.Any(other => During(s, other))).ToArray();
            var lastBad = after.Where(s => s.Status != 200).Select(s => s.Start + (s.Milliseconds / 1000)).DefaultIfEmpty(phase.End).Max();
            text.AppendLine(Inv(
                $"| {phase.Name} | {phase.End - phase.Start:F1} | {inside.Length} | {Count5xx(inside)} | {inside.Count(s => s.Status == 0)} | {SignedOut(inside)} | " +
                $"{(inside.Length == 0 ? 0 : inside.Max(s => s.Milliseconds)):F0} | {inside.Count(s => s.Milliseconds > SlowMilliseconds)} | {Count5xx(after)} | {SignedOut(after)} | {lastBad - phase.End:F1} |"));
        }

        var outside = samples.Where(s => !phases.Any(p => During(s, p))).ToArray();
        var insideAll = samples.Where(s => phases.Any(p => During(s, p))).ToArray();
        var baselineSamples = samples.Where(s => phases.Count == 0 || s.Start < phases[0].Start).ToArray();
        var wronglySignedOut = samples.Where(s => s.Status == 401).Select(s => s.User).Distinct().Count();
        text.AppendLine();
        text.AppendLine("| figure | value |");
        text.AppendLine("|---|---:|");
        text.AppendLine(Inv($"| requests served (answers, all statuses) | {samples.Count(s => s.Status != 0)} of {samples.Length} |"));
        text.AppendLine(Inv($"| 200 answers | {samples.Count(s => s.Status == 200)} |"));
        text.AppendLine(Inv($"| 5xx inside fault windows | {Count5xx(insideAll)} |"));
        text.AppendLine(Inv($"| 5xx outside fault windows (baseline and recovery periods) | {Count5xx(outside)} (baseline alone: {Count5xx(baselineSamples)}) |"));
        text.AppendLine(Inv($"| 5xx answers to sign-ins (before the load, no fault) | {load.SignInServerErrors} |"));
        text.AppendLine(Inv($"| no answer at all (connection failed or 30 s timeout) | {samples.Count(s => s.Status == 0)} |"));
        text.AppendLine(Inv($"| 401 answers to signed-in users (nobody signed out) | {samples.Count(s => s.Status == 401)}, {wronglySignedOut} distinct users |"));
        text.AppendLine(Inv($"| sessions lost (users not signed in at the end) | {final.Count(s => s.Status == 401)} of {final.Length} (final check answers: {Statuses(final)}) |"));
        var reconnect = grants.ReconnectRequired.Count(load.IsSignedIn);
        var missing = grants.Missing.Count(load.IsSignedIn);
        text.AppendLine(Inv($"| grants lost (PostgreSQL, signed-in users: reconnect required + missing) | {reconnect + missing} ({reconnect} + {missing}) |"));
        text.AppendLine(Inv($"| refresh tokens redeemed more than once (emulator) | {emulator.RefreshTokensRedeemedMoreThanOnce} |"));
        text.AppendLine(Inv($"| refresh requests at the emulator (answered by the injected 503) | {emulator.RefreshRequests} ({emulator.RefreshRequestsAnsweredByFault}) |"));
        text.AppendLine(Inv($"| authorization codes exchanged / API requests at the emulator | {emulator.AuthorizationCodeExchanges} / {emulator.ApiRequests} |"));
        text.AppendLine(Inv($"| background worker calls, node A since its restart (ok / sign-in required / transient / failed) | {Worker(workerA)} |"));
        text.AppendLine(Inv($"| background worker calls, node B (ok / sign-in required / transient / failed) | {Worker(workerB)} |"));
        text.AppendLine(Inv($"| statuses of all answers | {Statuses(samples)} |"));
        text.AppendLine(Inv($"| load time | {end:F0} s |"));
        return text.ToString();
    }

    /// <summary>An answer is inside a fault window when the request was in flight at any moment of it (started before the
    /// fault was removed and answered after it was injected): a request the fault hit while it waited counts for the fault.</summary>
    private static bool During(Sample sample, Phase phase) =>
        sample.Start <= phase.End && sample.Start + (sample.Milliseconds / 1000) >= phase.Start;

    private static int Count5xx(IEnumerable<Sample> samples) => samples.Count(s => s.Status >= 500);

    private static string SignedOut(Sample[] samples) =>
        Inv($"{samples.Count(s => s.Status == 401)} ({samples.Where(s => s.Status == 401).Select(s => s.User).Distinct().Count()})");

    private static string Statuses(IEnumerable<Sample> samples) =>
        string.Join(", ", samples.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => Inv($"{(g.Key == 0 ? "none" : g.Key.ToString(CultureInfo.InvariantCulture))}: {g.Count()}")));

    private static string Worker(Dictionary<string, long> counters) =>
        Inv($"{counters.GetValueOrDefault("ok")} / {counters.GetValueOrDefault("signInRequired")} / {counters.GetValueOrDefault("transient")} / {counters.GetValueOrDefault("failed")}");

    /// <summary>Program.Main sets the invariant culture for the whole run, so interpolated figures read the same everywhere.</summary>
    private static string Inv(string value) => value;
}
