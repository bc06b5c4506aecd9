using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

public sealed class TelemetryTests : TokenTestBase
{
    [Fact]
    public async Task Refresh_counters_report_one_refresh_and_the_joins_of_a_single_flight()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        var meters = Host.Services.GetRequiredService<IMeterFactory>();
        using var refreshes = new MetricCollector<long>(meters, EllipsisDriveTelemetry.MeterName, "ellipsisdrive.token.refreshes");
        using var joins = new MetricCollector<long>(meters, EllipsisDriveTelemetry.MeterName, "ellipsisdrive.token.single_flight_joins");
        ExpireAccessToken();
        // A slow token endpoint keeps the flight open while all 20 requests arrive.
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { Delay = TimeSpan.FromMilliseconds(300) });

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => browser.GetStringAsync("/test/token")));

        Assert.Equal(1, refreshes.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(TokenRefreshCalls, refreshes.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(19, joins.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task Refresh_failures_are_counted_by_kind()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        using var failures = new MetricCollector<long>(
            Host.Services.GetRequiredService<IMeterFactory>(), EllipsisDriveTelemetry.MeterName, "ellipsisdrive.token.refresh_failures");
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 503, Body = """{"message":"down"}""" });
        await browser.GetStringAsync("/test/token");
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 400, Body = """{"error":"invalid_grant"}""" });
        await browser.GetStringAsync("/test/token");

        var kinds = failures.GetMeasurementSnapshot().Select(m => (string)m.Tags["error.kind"]!).ToList();

        Assert.Equal(["transient", "invalid_grant"], kinds);
    }

    [Fact]
    public async Task Sign_ins_are_counted_when_the_handler_signs_a_user_in()
    {
        await using var host = await Infrastructure.EllipsisDriveTestHost.StartAsync();
        using var signIns = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), EllipsisDriveTelemetry.MeterName, "ellipsisdrive.sign_ins");

        await host.SignInAsync();

        Assert.Equal(1, signIns.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task Refresh_is_traced_as_a_refresh_activity_around_a_token_endpoint_activity()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        using var traces = new TraceCollector();
        ExpireAccessToken();

        await browser.GetStringAsync("/test/token");

        // Other tests may refresh at the same time and trace through the same source, so look for the shape, not a count:
        // a refresh activity whose one child is the client call to the token endpoint for a refresh_token grant.
        Assert.Contains(traces.Stopped, refresh =>
            refresh.OperationName == "EllipsisDrive.RefreshToken"
            && traces.ChildrenOf(refresh).ToList() is [var call]
            && call.OperationName == "EllipsisDrive.TokenEndpoint"
            && call.Kind == ActivityKind.Client
            && (string?)call.GetTagItem("oauth.grant_type") == "refresh_token");
        Assert.Equal(1, TokenRefreshCalls);
    }

    [Fact]
    public async Task Code_exchange_is_traced_as_a_token_endpoint_activity_with_its_outcome()
    {
        await using var host = await Infrastructure.EllipsisDriveTestHost.StartAsync();
        using var traces = new TraceCollector();
        host.Emulator.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { StatusCode = 503 });

        await host.SignInAsync(); // fails at the token endpoint
        await host.SignInAsync();

        var codeCalls = traces.Stopped.Where(a => a.OperationName == "EllipsisDrive.TokenEndpoint" && (string?)a.GetTagItem("oauth.grant_type") == "authorization_code").ToList();
        Assert.Contains(codeCalls, a => a.Status == ActivityStatusCode.Error && a.StatusDescription == "transient");
        Assert.Contains(codeCalls, a => a.Status == ActivityStatusCode.Unset);
    }

    [Theory]
    [InlineData(503, """{"message":"down"}""", "transient", null)]
    [InlineData(400, """{"error":"invalid_grant"}""", "invalid_grant", "session_ended")]
    public async Task A_failed_refresh_marks_the_token_endpoint_call_and_the_refresh_as_errors(int status, string body, string kind, string? outcome)
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        using var traces = new TraceCollector();
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = status, Body = body });

        await browser.GetStringAsync("/test/token");

        // The shape again (other tests trace through the same source): a failed refresh around its failed call. A transient
        // failure throws (no outcome tag, the session is kept); a refused refresh token ends the session.
        Assert.Contains(traces.Stopped, refresh =>
            refresh.OperationName == "EllipsisDrive.RefreshToken"
            && refresh.Status == ActivityStatusCode.Error
            && refresh.StatusDescription == kind
            && (string?)refresh.GetTagItem("ellipsisdrive.refresh.outcome") == outcome
            && traces.ChildrenOf(refresh).ToList() is [var call]
            && call.OperationName == "EllipsisDrive.TokenEndpoint"
            && call.Status == ActivityStatusCode.Error
            && call.StatusDescription == kind);
    }

    /// <summary>Collects the activities of the package's source that stop while it listens.</summary>
    private sealed class TraceCollector : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public TraceCollector()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == EllipsisDriveTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> Stopped => [.. _stopped];

        public IEnumerable<Activity> ChildrenOf(Activity parent) =>
            _stopped.Where(a => a.TraceId == parent.TraceId && a.ParentSpanId == parent.SpanId);

        public void Dispose() => _listener.Dispose();
    }
}
