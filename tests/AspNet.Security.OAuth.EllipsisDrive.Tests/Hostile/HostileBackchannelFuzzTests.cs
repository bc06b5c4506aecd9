using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// Generated hostile answers (see <see cref="BackchannelBodyCorpus"/>) from the token endpoint (to the code
/// exchange and to a refresh) and from the account endpoint: whatever comes back, the app answers a sign-in, a
/// remote failure or a typed token failure; never a 500, never an unhandled exception, never a leaked secret.
/// </summary>
public class HostileBackchannelFuzzTests
{
    private const int Cases = 150;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Fuzz_token_endpoint_answers_to_the_code_exchange_fail_cleanly()
    {
        var seed = Seed(0, "token answers");
        await using var app = await HostileApp.StartAsync();

        var statuses = new List<int>();
        foreach (var (status, body) in BackchannelBodyCorpus.TokenResponses(seed, Cases))
        {
            app.Host.Emulator.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { StatusCode = status, Body = body });
            statuses.Add((await CallbackAsync(app)).StatusCode);
        }

        // No token the corpus makes up is one the emulator issued, so the account request always fails: every
        // callback must end as a remote failure.
        Assert.All(statuses, s => Assert.Equal(StatusCodes.Status400BadRequest, s));
        Assert.Equal(Cases, app.RemoteFailures);
        AssertClean(app);
    }

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Fuzz_account_answers_sign_in_or_fail_cleanly()
    {
        var seed = Seed(1, "account answers");
        await using var app = await HostileApp.StartAsync();

        var signedIn = 0;
        foreach (var (status, body) in BackchannelBodyCorpus.AccountResponses(seed, Cases))
        {
            app.Host.Emulator.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = status, Body = body });
            var response = await CallbackAsync(app);
            Assert.True(
                response.StatusCode == StatusCodes.Status400BadRequest || (response.StatusCode == StatusCodes.Status302Found && response.Location == "/me"),
                $"status {status}, body {Preview(body)}: answered {response.StatusCode} {response.Location}");
            signedIn += response.StatusCode == StatusCodes.Status302Found ? 1 : 0;
        }

        Assert.Equal(Cases, app.RemoteFailures + signedIn);
        AssertClean(app);
    }

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Fuzz_token_endpoint_answers_to_a_refresh_fail_cleanly()
    {
        var seed = Seed(2, "refresh answers");
        await using var app = await HostileApp.StartAsync();

        foreach (var (status, body) in BackchannelBodyCorpus.TokenResponses(seed, Cases))
        {
            using var browser = await SignInWithTheRefreshAnsweringAsync(app, status, body);

            using var response = await browser.GetAsync("/hostile/token");

            // ok (the answer was usable), a required sign-in, or a typed token failure.
            Assert.True(
                response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized or HttpStatusCode.ServiceUnavailable,
                $"status {status}, body {Preview(body)}: answered {(int)response.StatusCode}");
        }

        AssertClean(app);
    }

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Fuzz_provider_error_text_reaches_messages_and_logs_without_control_characters()
    {
        var seed = Seed(3, "token answers each to the code exchange and to a refresh");
        await using var app = await HostileApp.StartAsync();
        var refreshAnswers = new List<string>();

        foreach (var (status, body) in BackchannelBodyCorpus.TokenResponses(seed, Cases))
        {
            app.Host.Emulator.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { StatusCode = status, Body = body });
            await CallbackAsync(app);

            using var browser = await SignInWithTheRefreshAnsweringAsync(app, status, body);
            using var refreshed = await browser.GetAsync("/hostile/token");
            refreshAnswers.Add(await refreshed.Content.ReadAsStringAsync(Ct));
        }

        // Whatever the provider wrote, the failure messages (shown by OnRemoteFailure, carried by the token service's
        // exceptions) and the log lines carry no line breaks or other control characters.
        var messages = app.Host.Failures.Select(f => f.Message).Concat(refreshAnswers);
        var unsafeMessages = messages.Where(IsUnsafe).Select(Visible).ToList();
        var unsafeLogs = app.Host.Logs.GetSnapshot()
            .Where(r => r.Category != "Microsoft.AspNetCore.Hosting.Diagnostics" && IsUnsafe(r.Message))
            .Select(r => $"{r.Category} [{r.Id.Name}]: {Visible(r.Message)}")
            .ToList();
        Assert.True(unsafeMessages.Count == 0, "Messages:\n" + string.Join('\n', unsafeMessages.Take(10)));
        Assert.True(unsafeLogs.Count == 0, "Log lines:\n" + string.Join('\n', unsafeLogs.Take(10)));
    }

    /// <summary>The seed <c>HOSTILE_SEED + offset</c> for one test, written to the test output with what it generates.</summary>
    private static int Seed(int offset, string cases)
    {
        var seed = CallbackCorpus.Seed + offset;
        var name = offset == 0 ? "HOSTILE_SEED" : $"HOSTILE_SEED + {offset}";
        TestContext.Current.TestOutputHelper!.WriteLine($"seed {seed} ({name}), {Cases} {cases}");
        return seed;
    }

    /// <summary>
    /// A clean sign-in in a new browser (which must succeed), then the access token expires and the token endpoint is
    /// set to answer the next refresh with <paramref name="status"/> and <paramref name="body"/>.
    /// </summary>
    private static async Task<BrowserClient> SignInWithTheRefreshAnsweringAsync(HostileApp app, int status, string body)
    {
        var browser = app.Host.NewBrowser();
        var signIn = await app.Host.SignInAsync(browser: browser);
        Assert.True(
            signIn.Callback.StatusCode == HttpStatusCode.Redirect,
            $"A clean sign-in after the answer {status} {Visible(body)} failed: {signIn.Callback.StatusCode}, {(app.Host.Failures.Count > 0 ? app.Host.Failures[^1].Message : "no recorded failure")}");
        app.Host.Time.Advance(TimeSpan.FromHours(2));
        app.Host.Emulator.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = status, Body = body });
        return browser;
    }

    private static bool IsUnsafe(string text) => text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');

    private static string Visible(string text) => new([.. text.Take(300).Select(c => char.IsControl(c) ? '⍰' : c)]);

    private static async Task<RawCallbackClient.RawResponse> CallbackAsync(HostileApp app)
    {
        var challenge = await app.ChallengeAsync(Ct);
        var callbackUrl = await app.Host.Emulator.ConsentAsync(challenge.AuthorizationUrl, cancellationToken: Ct);
        return await app.Raw.SendAsync(HttpMethods.Get, EllipsisDriveDefaults.CallbackPath, callbackUrl.Query.TrimStart('?'), challenge.CookieHeader, Ct);
    }

    private static void AssertClean(HostileApp app)
    {
        Assert.Empty(app.UnhandledErrors());
        var leaks = app.ScanForLeaks();
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }

    private static string Preview(string body) => body.Length <= 200 ? body : body[..200] + "…";
}
