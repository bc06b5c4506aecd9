extern alias BlazorSample;

using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// samples/BlazorApp on real Kestrel, on a free loopback port, in emulator mode (no client configured), with the
/// circuit's transport and prerendering as the test class asks, and 4 drive items a page.
/// </summary>
public sealed class BlazorSampleApp : WebApplicationFactory<BlazorSample::Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public BlazorSampleApp(IReadOnlyDictionary<string, string?> settings)
    {
        _settings = settings;
        UseKestrel(0);
    }

    /// <summary>Gets the app's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets what the app logged.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>Gets the emulator the app started.</summary>
    public EllipsisDriveEmulator Drive => Services.GetRequiredService<EllipsisDriveEmulator>();

    /// <summary>Gets the client secret the app registered at the emulator.</summary>
    public string ClientSecret => Services.GetRequiredService<EmulatorClient>().ClientSecret;

    /// <summary>Starts the app (idempotent) and returns it.</summary>
    public BlazorSampleApp Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("The sample does not listen on 127.0.0.1: " + string.Join(", ", addresses));
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return this;
    }

    /// <summary>An absolute URL on the app.</summary>
    public string Url(string relative) => new Uri(BaseAddress, relative).AbsoluteUri;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Logs));
        // No real client: emulator mode, whatever user-secrets or the environment say.
        builder.UseSetting("EllipsisDrive:ClientId", string.Empty);
        builder.UseSetting("EllipsisDrive:ClientSecret", string.Empty);
        builder.UseSetting("EllipsisDrive:BaseAddress", string.Empty);
        builder.UseSetting("Drive:PageSize", "4");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>The Blazor sample for one test class: circuits over WebSockets or long polling, prerendered or not.</summary>
public abstract class BlazorSampleAppFixture(bool longPolling, bool prerender) : IAsyncLifetime
{
    public bool LongPolling => longPolling;

    public bool Prerender => prerender;

    public BlazorSampleApp App { get; } = new(new Dictionary<string, string?>
    {
        ["Blazor:Transport"] = longPolling ? "LongPolling" : string.Empty,
        ["Blazor:Prerender"] = prerender ? "true" : "false",
    });

    public ValueTask InitializeAsync()
    {
        App.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

public sealed class BlazorWebSocketsApp() : BlazorSampleAppFixture(longPolling: false, prerender: true);

public sealed class BlazorLongPollingApp() : BlazorSampleAppFixture(longPolling: true, prerender: true);

public sealed class BlazorWebSocketsNoPrerenderApp() : BlazorSampleAppFixture(longPolling: false, prerender: false);

public sealed class BlazorLongPollingNoPrerenderApp() : BlazorSampleAppFixture(longPolling: true, prerender: false);
