using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// A sample app on real Kestrel, on a free loopback port, in emulator mode (no client configured), its log captured.
/// Settings override the app's configuration, e.g. <c>Emulator:AccessTokenLifetimeSeconds</c>.
/// </summary>
public abstract class EmulatorSampleApp<TEntryPoint, TSelf> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
    where TSelf : EmulatorSampleApp<TEntryPoint, TSelf>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    protected EmulatorSampleApp(IReadOnlyDictionary<string, string?>? settings)
    {
        _settings = settings ?? new Dictionary<string, string?>();
        UseKestrel(0);
    }

    /// <summary>Gets the app's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets what the app logged.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>Gets the emulator the app started.</summary>
    public EllipsisDriveEmulator Drive => Services.GetRequiredService<EllipsisDriveEmulator>();

    /// <summary>Gets the client secret the app registered at the emulator (for the leak checks).</summary>
    public string ClientSecret => Services.GetRequiredService<EmulatorClient>().ClientSecret;

    /// <summary>Starts the app (idempotent) and returns it.</summary>
    public TSelf Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("The sample does not listen on 127.0.0.1: " + string.Join(", ", addresses));
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return (TSelf)this;
    }

    /// <summary>An absolute URL on the app.</summary>
    public string Url(string relative) => new Uri(BaseAddress, relative).AbsoluteUri;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        // Captured, not printed: a failing browser test writes them next to its screenshot, and the test output stays readable.
        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Logs));
        // No real client and no Redis: emulator mode, whatever user-secrets or the environment say.
        builder.UseSetting("EllipsisDrive:ClientId", string.Empty);
        builder.UseSetting("EllipsisDrive:ClientSecret", string.Empty);
        builder.UseSetting("EllipsisDrive:BaseAddress", string.Empty);
        builder.UseSetting("ConnectionStrings:Redis", string.Empty);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
