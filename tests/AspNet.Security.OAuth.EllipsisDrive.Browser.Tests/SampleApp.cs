using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WebApp;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// The sample app on real Kestrel, on a free loopback port, in emulator mode (no client configured).
/// Settings override the app's configuration, e.g. <c>Emulator:AccessTokenLifetimeSeconds</c>.
/// </summary>
public sealed class SampleApp : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public SampleApp(IReadOnlyDictionary<string, string?>? settings = null)
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

    /// <summary>Starts the app (idempotent) and returns it.</summary>
    public SampleApp Start()
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
        // Captured, not printed: a failing browser test writes them next to its screenshot, and the test output stays readable.
        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Logs));
        // No real client: emulator mode, whatever user-secrets or the environment say.
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

/// <summary>One sample app shared by the tests of a class; its emulator pages through 4 items at a time.</summary>
public sealed class SampleAppFixture : IAsyncLifetime
{
    public SampleApp App { get; } = new(new Dictionary<string, string?> { ["Drive:PageSize"] = "4" });

    public ValueTask InitializeAsync()
    {
        App.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
