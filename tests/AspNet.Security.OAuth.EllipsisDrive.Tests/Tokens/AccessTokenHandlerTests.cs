using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

public sealed class AccessTokenHandlerTests : TokenTestBase
{
    [Fact]
    public async Task Refresh_after_a_401_from_the_API_is_forced_once_and_the_request_retried()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        Drive.ClearRequests(); // The sign-in loaded the account too.
        Drive.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 401, Body = """{"message":"Invalid token."}""", Times = 1 });

        var user = await browser.GetStringAsync("/test/account");

        Assert.Equal("alice", user);
        Assert.Equal(1, TokenRefreshCalls);
        var accountCalls = Drive.Requests.Where(r => r.Endpoint == EmulatorEndpoint.Account).ToList();
        Assert.Equal(2, accountCalls.Count);
        Assert.NotEqual(accountCalls[0].Headers["Authorization"], accountCalls[1].Headers["Authorization"]);
    }

    [Fact]
    public async Task A_persistent_401_is_returned_after_one_refresh_and_one_retry()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        Drive.ClearRequests(); // The sign-in loaded the account too.
        Drive.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 401, Body = """{"message":"Invalid token."}""", Times = 5 });

        using var response = await browser.GetAsync("/test/account");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("api-error 401", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, Drive.CountRequests(EmulatorEndpoint.Account));
        Assert.Equal(1, TokenRefreshCalls);
    }

    [Fact]
    public async Task The_typed_client_pages_through_my_drive()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);

        var first = (await browser.GetStringAsync("/test/root")).Split(';');
        var second = (await browser.GetStringAsync("/test/root?pageStart=" + Uri.EscapeDataString(first[1]))).Split(';');

        Assert.Equal("2", first[0]);
        Assert.NotEmpty(first[1]);
        Assert.NotEqual("0", second[0]);
        var listCalls = Drive.Requests.Where(r => r.Endpoint == EmulatorEndpoint.ListRoot).ToList();
        Assert.Equal(first[1], listCalls[1].Query["pageStart"]);
    }

    [Theory]
    [InlineData("https://elsewhere.example/v3/account")]
    [InlineData("https://127.0.0.1/v3/account")]
    public async Task The_bearer_token_is_not_attached_to_another_origin(string url)
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        var recorder = new RecordingHandler();
        await using var provider = ApiClientServices(recorder);
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);

        var sent = Assert.Single(recorder.Requests);
        Assert.Null(sent.Headers.Authorization);
    }

    [Fact]
    public async Task A_request_for_the_API_origin_is_not_sent_without_a_token()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        var recorder = new RecordingHandler();
        await using var provider = ApiClientServices(recorder);
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        await Assert.ThrowsAsync<EllipsisDriveSignInRequiredException>(
            () => client.GetAsync(new Uri(Drive.BaseAddress, "account"), TestContext.Current.CancellationToken));
        Assert.Empty(recorder.Requests);
    }

    /// <summary>
    /// Services outside any request (no current HttpContext) with the host's token service and options and an "api"
    /// client that has the access-token handler in front of <paramref name="recorder"/>.
    /// </summary>
    private ServiceProvider ApiClientServices(RecordingHandler recorder)
    {
        var services = new ServiceCollection();
        services.AddSingleton(Host.Services.GetRequiredService<IEllipsisDriveTokenService>());
        services.AddSingleton(Host.Services.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>());
        services.AddSingleton<IHttpContextAccessor>(new HttpContextAccessor());
        services.AddLogging();
        services.AddHttpClient("api").AddEllipsisDriveAccessToken().ConfigurePrimaryHttpMessageHandler(() => recorder);
        return services.BuildServiceProvider();
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
