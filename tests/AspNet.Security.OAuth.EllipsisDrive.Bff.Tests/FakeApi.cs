using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Bff.Tests;

/// <summary>
/// A stand-in for the Ellipsis Drive API on real Kestrel, at <c>/v3/</c>: records every request that reaches it (method,
/// path, query, headers, body) and answers with what the test maps. Unmapped paths echo 200 <c>{"ok":true}</c>.
/// </summary>
internal sealed class FakeApi : IAsyncDisposable
{
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Starts the fake; <paramref name="map"/> adds endpoints under <c>/v3</c>.</summary>
    public static async Task<FakeApi> StartAsync(Action<IEndpointRouteBuilder>? map = null)
    {
        var api = new FakeApi();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            // Large or streamed bodies are left to the endpoints.
            var body = context.Request.ContentLength is > 0 and < 65_536
                ? await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted)
                : string.Empty;
            api.Requests.Enqueue(new Received(
                context.Request.Method,
                context.Request.Path.Value!,
                context.Request.QueryString.Value ?? string.Empty,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body));
            await next(context);
        });
        map?.Invoke(app.MapGroup("/v3"));
        app.MapFallback(() => Results.Json(new { ok = true }));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        api._app = app;
        api.BaseAddress = new Uri(address.TrimEnd('/') + "/v3/");
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>One request the fake API received.</summary>
    public sealed record Received(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body);
}
