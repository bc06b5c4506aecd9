using System.Collections.Concurrent;
using System.Diagnostics;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// Ten thousand hostile callback requests against one application: none may crash it (500), none may leave an
/// unhandled exception in the logs, and every one must end where a failed sign-in ends (OnRemoteFailure, or the
/// access-denied path for a real <c>access_denied</c>), with no secret in any log, header or body.
/// </summary>
public class HostileCallbackFuzzTests
{
    private const int CorpusSize = 10_000;

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Fuzz_callback_corpus_never_crashes_and_always_fails_cleanly()
    {
        var seed = CallbackCorpus.Seed;
        var output = TestContext.Current.TestOutputHelper!;
        output.WriteLine($"Hostile callback corpus: seed {seed} (set HOSTILE_SEED to replay another), {CorpusSize} requests.");
        var ct = TestContext.Current.CancellationToken;

        await using var app = await HostileApp.StartAsync();
        var corpus = CallbackCorpus.Generate(seed, CorpusSize);
        var outcomes = new ConcurrentBag<(CallbackCase Case, int Status, string? Location)>();

        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            corpus,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount * 2), CancellationToken = ct },
            async (hostileCase, token) =>
            {
                var first = hostileCase.Needs == CallbackCorpus.Needs.Nothing ? null : await app.ChallengeAsync(token);
                var second = hostileCase.Needs == CallbackCorpus.Needs.TwoChallenges ? await app.ChallengeAsync(token) : null;
                var (query, cookies) = hostileCase.Build(first, second);
                var response = await app.Raw.SendAsync(hostileCase.Method, EllipsisDriveDefaults.CallbackPath, query, cookies, token);
                outcomes.Add((hostileCase, response.StatusCode, response.Location));
            });
        stopwatch.Stop();

        var byStatus = outcomes.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
        var tokenRequests = app.Host.Emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode);
        output.WriteLine($"{outcomes.Count} callbacks in {stopwatch.Elapsed.TotalSeconds:F1} s; statuses {string.Join(", ", byStatus)}; " +
            $"OnRemoteFailure {app.RemoteFailures}, OnAccessDenied {app.AccessDenied}; token-endpoint requests {tokenRequests}.");

        Assert.Equal(CorpusSize, outcomes.Count);
        Assert.Empty(Describe(seed, outcomes.Where(o => o.Status >= 500)));
        Assert.Empty(app.UnhandledErrors());

        // Every callback ended in exactly one of the two failure paths, and nothing signed anybody in.
        var failed = outcomes.Where(o => o.Status == StatusCodes.Status400BadRequest).ToList();
        var denied = outcomes.Where(o => o.Status == StatusCodes.Status302Found && o.Location?.StartsWith("https://localhost/denied", StringComparison.Ordinal) == true).ToList();
        Assert.Empty(Describe(seed, outcomes.Except(failed).Except(denied)));
        Assert.Empty(Describe(seed, denied.Where(o => !o.Case.DeniedAllowed)));
        Assert.Equal(failed.Count, app.RemoteFailures);
        Assert.Equal(denied.Count, app.AccessDenied);
        Assert.Equal(CorpusSize, app.RemoteFailures + app.AccessDenied);

        // The corpus went deep: real access_denied answers, and garbage codes all the way to the token endpoint.
        Assert.NotEmpty(denied);
        Assert.InRange(tokenRequests, 100, CorpusSize);

        // The scan has something to find (real verifiers among the secrets) and finds a planted one.
        var secrets = app.Secrets();
        Assert.Contains(secrets, s => s.Kind == "code_verifier");
        Assert.NotEmpty(SecretFinder.Find(secrets.Take(1), [("probe", "x" + secrets[0].Value + "y")]));
        var scanTime = Stopwatch.StartNew();
        var leaks = app.ScanForLeaks();
        output.WriteLine($"Leak scan: {secrets.Count} secrets in {scanTime.Elapsed.TotalSeconds:F1} s.");
        Assert.True(leaks.Count == 0, "Secrets leaked:\n" + string.Join('\n', leaks.Distinct().Take(20)));
    }

    private static List<string> Describe(int seed, IEnumerable<(CallbackCase Case, int Status, string? Location)> outcomes) =>
        [.. outcomes.OrderBy(o => o.Case.Index).Take(20).Select(o => $"seed {seed} case #{o.Case.Index} ({o.Case.Kind}, {o.Case.Method}): {o.Status} {o.Location}")];
}
