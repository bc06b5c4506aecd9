using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

public sealed class FaultTests : EmulatorTestBase
{
    [Fact]
    public async Task A_status_fault_answers_its_status_body_and_content_type_once()
    {
        await StartAsync();
        var token = await AccessTokenAsync();
        Emulator.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 429, Body = "slow down", ContentType = "text/plain" });

        using var faulted = await GetApiAsync("account", token);
        using var normal = await GetApiAsync("account", token);

        Assert.Equal(HttpStatusCode.TooManyRequests, faulted.StatusCode);
        Assert.Equal("slow down", await faulted.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/plain", faulted.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public async Task A_no_content_fault_answers_its_status_without_the_body_and_keeps_the_connection_usable(int status)
    {
        // Writing a body after a 204 makes Kestrel abort the connection, which the client may already have pooled.
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Warning));
        await StartAsync(o => o.LoggerFactory = loggerFactory);
        var token = await AccessTokenAsync();
        Emulator.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = status, Body = "{\"not\":\"allowed\"}" });

        using var faulted = await GetApiAsync("account", token);
        var faultedBody = await faulted.Content.ReadAsStringAsync(Ct);
        using var normal = await GetApiAsync("account", token);

        Assert.Equal(status, (int)faulted.StatusCode);
        Assert.Equal(string.Empty, faultedBody);
        Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
        Assert.DoesNotContain(collector.GetSnapshot(), r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_fault_applies_Times_times()
    {
        await StartAsync();
        var token = await AccessTokenAsync();
        Emulator.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 503, Times = 2 });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await GetApiAsync("account", token);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);
    }

    [Fact]
    public async Task A_fault_with_Times_zero_applies_until_cleared()
    {
        await StartAsync();
        var token = await AccessTokenAsync();
        Emulator.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 500, Times = 0 });

        for (var i = 0; i < 5; i++)
        {
            using var faulted = await GetApiAsync("account", token);
            Assert.Equal(HttpStatusCode.InternalServerError, faulted.StatusCode);
        }

        Emulator.ClearFaults();
        using var normal = await GetApiAsync("account", token);
        Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
    }

    [Fact]
    public async Task A_body_only_fault_answers_500()
    {
        await StartAsync();
        Emulator.InjectFault(EmulatorEndpoint.Validate, new EmulatorFault { Body = "{\"message\":\"boom\"}" });

        using var response = await Http.PostAsync(new Uri(Emulator.BaseAddress, "validate"), null, Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("{\"message\":\"boom\"}", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_delay_only_fault_delays_the_normal_answer()
    {
        await StartAsync();
        var token = await AccessTokenAsync();
        Emulator.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { Delay = TimeSpan.FromMilliseconds(300) });

        var stopwatch = Stopwatch.StartNew();
        using var response = await GetApiAsync("account", token);

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(290), $"Answered after {stopwatch.Elapsed}.");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_delayed_fault_ends_when_the_client_gives_up()
    {
        await StartAsync();
        Emulator.InjectFault(EmulatorEndpoint.Validate, new EmulatorFault { Delay = TimeSpan.FromMinutes(10), StatusCode = 500 });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Http.PostAsync(new Uri(Emulator.BaseAddress, "validate"), null, timeout.Token));
    }

    [Fact]
    public async Task A_drop_fault_aborts_the_connection()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        Emulator.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { DropConnection = true });

        await Assert.ThrowsAsync<HttpRequestException>(() => PostFormAsync(CodeRequest(code)));
        using var retry = await PostFormAsync(CodeRequest(code));

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task Token_faults_split_by_grant_type()
    {
        await StartAsync();
        Emulator.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 502 });

        var tokens = await SignInAsync();
        using var refresh = await PostFormAsync(RefreshRequest(tokens.GetProperty("refresh_token").GetString()!));

        Assert.Equal(HttpStatusCode.BadGateway, refresh.StatusCode);
    }

    [Fact]
    public async Task Faults_of_one_endpoint_apply_in_injection_order()
    {
        await StartAsync();
        var token = await AccessTokenAsync();
        Emulator.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 500 });
        Emulator.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 503 });

        using var first = await GetApiAsync("account", token);
        using var second = await GetApiAsync("account", token);

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
    }

    [Fact]
    public async Task A_faulted_request_is_still_recorded()
    {
        await StartAsync();
        Emulator.InjectFault(EmulatorEndpoint.Authorize, new EmulatorFault { StatusCode = 500 });

        using var response = await Http.GetAsync(AuthorizeUrl(), Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, Emulator.CountRequests(EmulatorEndpoint.Authorize));
    }
}
