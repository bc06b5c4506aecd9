using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// A client with the access-token handler that is aimed at another origin than the API's sends no token there, and the
/// app is told once per origin, with the options to fix.
/// </summary>
public sealed class ForeignOriginTests : TokenTestBase
{
    private const int ForeignOriginEventId = 1303;

    [Fact]
    public async Task Requests_for_another_origin_go_without_a_token_and_warn_once()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        var sessionId = await browser.GetStringAsync("/test/session-id");
        var recorder = new RecordingHandler();
        await using var provider = ApiClientServices(recorder, "x");
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("x");

        (await client.GetAsync(new Uri("v3/account?key=query-value", UriKind.Relative), TestContext.Current.CancellationToken)).Dispose();
        (await client.GetAsync(new Uri("v3/path/other", UriKind.Relative), TestContext.Current.CancellationToken)).Dispose();
        using var apiRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(Drive.BaseAddress, "account"));
        apiRequest.Options.Set(EllipsisDriveHttpRequestOptions.SessionId, sessionId);
        (await client.SendAsync(apiRequest, TestContext.Current.CancellationToken)).Dispose();

        Assert.Equal(3, recorder.Requests.Count);
        Assert.Null(recorder.Requests[0].Headers.Authorization);
        Assert.Null(recorder.Requests[1].Headers.Authorization);
        Assert.Equal("Bearer", recorder.Requests[2].Headers.Authorization?.Scheme);
        var warning = Assert.Single(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == ForeignOriginEventId);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("'https://elsewhere.example'", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"'{Drive.BaseAddress.GetLeftPart(UriPartial.Authority)}'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("EllipsisDriveOptions.BaseAddress", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/v3", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("query-value", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_handler_for_the_same_origin_does_not_warn_again_and_a_new_origin_does()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        var recorder = new RecordingHandler();
        await using var provider = ApiClientServices(recorder, "x", "y");
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        using var first = factory.CreateClient("x");
        using var second = factory.CreateClient("y");

        (await first.GetAsync(new Uri("https://elsewhere.example/a"), TestContext.Current.CancellationToken)).Dispose();
        (await second.GetAsync(new Uri("https://elsewhere.example/b"), TestContext.Current.CancellationToken)).Dispose();
        (await second.GetAsync(new Uri("https://elsewhere.example:8443/c"), TestContext.Current.CancellationToken)).Dispose();

        var warnings = provider.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Id == ForeignOriginEventId).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("'https://elsewhere.example'", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("'https://elsewhere.example:8443'", warnings[1].Message, StringComparison.Ordinal);
        Assert.All(recorder.Requests, r => Assert.Null(r.Headers.Authorization));
    }

    /// <summary>
    /// Services outside any request with the host's token service and options, fake logging, and clients aimed at
    /// <c>https://elsewhere.example/</c> that have the access-token handler in front of <paramref name="recorder"/>.
    /// </summary>
    private ServiceProvider ApiClientServices(RecordingHandler recorder, params string[] names)
    {
        var services = new ServiceCollection();
        services.AddSingleton(Host.Services.GetRequiredService<IEllipsisDriveTokenService>());
        services.AddSingleton(Host.Services.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>());
        services.AddSingleton<IHttpContextAccessor>(new HttpContextAccessor());
        services.AddLogging(logging => logging.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        foreach (var name in names)
        {
            services.AddHttpClient(name, client => client.BaseAddress = new Uri("https://elsewhere.example/"))
                .AddEllipsisDriveAccessToken()
                .ConfigurePrimaryHttpMessageHandler(() => recorder);
        }

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
