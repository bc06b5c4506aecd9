using System.Diagnostics;
using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// Every fault the emulator can play, on each backchannel call the package makes: the code exchange (through the
/// handler's callback), the refresh (through the token service, with an expired token) and the account request
/// (through the callback). Each must end as a handled failure whose message says what happened (the HTTP status
/// when there was one), within the backchannel timeout: no 500, no unhandled exception, no hang, no leak.
/// </summary>
public sealed class HostileBackchannelFaultTests : IClassFixture<HostileBackchannelFaultTests.Fixture>
{
    /// <summary>Short, so a timeout case is quick; the hang bound below is generous for a loaded machine.</summary>
    private static readonly TimeSpan BackchannelTimeout = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan HangBound = BackchannelTimeout + TimeSpan.FromSeconds(10);

    private readonly Fixture _fixture;

    public HostileBackchannelFaultTests(Fixture fixture)
    {
        _fixture = fixture;
    }

    public enum BackchannelCall
    {
        CodeExchange,
        Refresh,
        Account,
    }

    /// <summary>The faults: name, the fault, and what the failure message must contain.</summary>
    private static readonly Dictionary<string, (Func<EmulatorFault> Fault, string Expected)> Faults = new()
    {
        ["400"] = (() => new EmulatorFault { StatusCode = 400, Body = """{"error":"invalid_request","error_description":"Bad request."}""" }, "HTTP 400"),
        ["401"] = (() => new EmulatorFault { StatusCode = 401, Body = """{"error":"invalid_client"}""" }, "HTTP 401"),
        ["403"] = (() => new EmulatorFault { StatusCode = 403, Body = """{"message":"Forbidden."}""" }, "HTTP 403"),
        ["429"] = (() => new EmulatorFault { StatusCode = 429, Body = """{"message":"Too many actions per minute."}""" }, "HTTP 429"),
        ["500"] = (() => new EmulatorFault { StatusCode = 500, Body = """{"message":"Internal error."}""" }, "HTTP 500"),
        ["503 empty"] = (() => new EmulatorFault { StatusCode = 503 }, "HTTP 503"),
        ["timeout"] = (() => new EmulatorFault { Delay = TimeSpan.FromSeconds(60) }, "did not answer within 1 s"),
        ["dropped connection"] = (() => new EmulatorFault { DropConnection = true }, "could not be reached"),
        ["200 html"] = (() => new EmulatorFault { StatusCode = 200, Body = "<!DOCTYPE html><html><body>Maintenance</body></html>", ContentType = "text/html" }, "HTTP 200"),
        ["502 html"] = (() => new EmulatorFault { StatusCode = 502, Body = "<html><body>Bad gateway</body></html>", ContentType = "text/html" }, "HTTP 502"),
        ["200 empty"] = (() => new EmulatorFault { StatusCode = 200, Body = string.Empty }, "HTTP 200"),
        ["200 truncated json"] = (() => new EmulatorFault { StatusCode = 200, Body = """{"access_token":"abc","token_type":"Bea""" }, "HTTP 200"),
        ["200 wrong types"] = (() => new EmulatorFault { StatusCode = 200, Body = """{"access_token":42,"token_type":[],"expires_in":"soon","refresh_token":{},"id":{"x":1},"username":42,"plan":"pro"}""" }, "HTTP 200"),
        ["200 missing fields"] = (() => new EmulatorFault { StatusCode = 200, Body = """{"token_type":"Bearer","plan":{"type":"pro"}}""" }, "HTTP 200"),
        ["200 json array"] = (() => new EmulatorFault { StatusCode = 200, Body = """[{"access_token":"abc","id":"x","username":"x"}]""" }, "HTTP 200"),
        ["200 deep json"] = (() => new EmulatorFault { StatusCode = 200, Body = new string('[', 5000) + new string(']', 5000) }, "HTTP 200"),
    };

    public static TheoryData<BackchannelCall, string> Matrix()
    {
        var data = new TheoryData<BackchannelCall, string>();
        foreach (var call in Enum.GetValues<BackchannelCall>())
        {
            foreach (var fault in Faults.Keys)
            {
                data.Add(call, fault);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    [Trait("Category", "Hostile")]
    public async Task Hostile_backchannel_fault_is_a_handled_failure_naming_the_status(BackchannelCall call, string faultName)
    {
        var app = _fixture.App;
        var (fault, expected) = Faults[faultName];
        if (call == BackchannelCall.Account && faultName is "200 wrong types" or "200 missing fields")
        {
            expected = "neither an 'id' nor a 'username'"; // a JSON object, so the status is not the news
        }

        app.Host.Logs.Clear();
        app.Host.Emulator.ClearFaults();
        var failuresBefore = app.RemoteFailures;
        using var browser = app.Host.NewBrowser();

        string message;
        var stopwatch = new Stopwatch();
        if (call == BackchannelCall.Refresh)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await app.Host.SignInAsync(browser: browser)).Callback.StatusCode);
            app.Host.Time.Advance(TimeSpan.FromHours(2)); // past expires_at: the next token read refreshes
            app.Host.Emulator.InjectFault(EmulatorEndpoint.TokenRefresh, fault());
            var refreshesBefore = app.Host.Emulator.CountRequests(EmulatorEndpoint.TokenRefresh);

            stopwatch.Start();
            using var response = await browser.GetAsync("/hostile/token");
            stopwatch.Stop();

            Assert.True(response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Unauthorized, $"{faultName}: {(int)response.StatusCode}");
            message = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Equal(refreshesBefore + 1, app.Host.Emulator.CountRequests(EmulatorEndpoint.TokenRefresh));
        }
        else
        {
            app.Host.Emulator.InjectFault(call == BackchannelCall.Account ? EmulatorEndpoint.Account : EmulatorEndpoint.TokenAuthorizationCode, fault());
            var authorizationUrl = await app.Host.ChallengeAsync(browser);
            var callbackUrl = await app.Host.Emulator.ConsentAsync(authorizationUrl, cancellationToken: TestContext.Current.CancellationToken);

            stopwatch.Start();
            using var callback = await browser.GetAsync(callbackUrl);
            stopwatch.Stop();

            Assert.Equal(HttpStatusCode.BadRequest, callback.StatusCode); // OnRemoteFailure
            Assert.Equal(failuresBefore + 1, app.RemoteFailures);
            message = app.Host.Failures[^1].Message;
            Assert.Equal(message, await callback.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Null(await browser.GetTokenNamesAsync()); // nobody signed in
        }

        Assert.True(stopwatch.Elapsed < HangBound, $"{call}/{faultName} took {stopwatch.Elapsed.TotalSeconds:F1} s (bound {HangBound.TotalSeconds} s).");
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Empty(app.UnhandledErrors());
        var leaks = app.ScanForLeaks(browser.Responses.Select(r => ($"browser {r.RequestUri.AbsolutePath}", string.Join('\n', r.Headers.Where(h => h.Key != "Location" || !h.Value.StartsWith(app.Host.Emulator.BaseAddress.AbsoluteUri, StringComparison.Ordinal)).Select(h => h.Value)) + "\n" + r.Body)).ToArray());
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }

    /// <summary>One application for the whole matrix (the cases run one after another), with a 1 s backchannel timeout.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private HostileApp? _app;

        internal HostileApp App => _app ?? throw new InvalidOperationException("Not started.");

        public async ValueTask InitializeAsync() =>
            _app = await HostileApp.StartAsync(options => options.BackchannelTimeout = BackchannelTimeout);

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }
    }
}
