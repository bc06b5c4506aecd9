using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// samples/SpaApp on real Kestrel, on a free 127.0.0.1 port, in emulator mode (no client configured). The sample's
/// <c>Program</c> is in its own namespace, apart from WebApp's.
/// </summary>
public sealed class SpaSampleApp : WebApplicationFactory<SpaApp.Program>
{
    public SpaSampleApp() => UseKestrel(0);

    /// <summary>Gets the app's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets what the app logged.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>Gets the emulator the app started.</summary>
    public EllipsisDriveEmulator Drive => Services.GetRequiredService<EllipsisDriveEmulator>();

    /// <summary>Gets the app's registration at the emulator (its client secret, for the leak checks).</summary>
    public EmulatorClient Emulator => Services.GetRequiredService<EmulatorClient>();

    /// <summary>Starts the app (idempotent) and returns it.</summary>
    public SpaSampleApp Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("The SPA sample does not listen on 127.0.0.1: " + string.Join(", ", addresses));
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
    }
}

/// <summary>One SPA sample shared by the tests of a class.</summary>
public sealed class SpaSampleAppFixture : IAsyncLifetime
{
    public SpaSampleApp App { get; } = new();

    public ValueTask InitializeAsync()
    {
        App.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
