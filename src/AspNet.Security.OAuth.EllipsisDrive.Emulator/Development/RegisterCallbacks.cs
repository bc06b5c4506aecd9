using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Development;

/// <summary>
/// Once the app listens (its ports are known only then), registers at the emulator the callback URL of every Ellipsis
/// Drive scheme at every address the server has. A wildcard or <c>localhost</c> binding is registered under the
/// loopback names a browser may use for it; a server with no address (a <c>TestServer</c>) as <c>https://localhost</c>
/// and <c>http://localhost</c>.
/// </summary>
internal sealed partial class RegisterCallbacks(
    DevelopmentEmulator emulator,
    IServer server,
    IAuthenticationSchemeProvider schemes,
    IOptionsMonitor<EllipsisDriveOptions> options,
    ILogger<RegisterCallbacks> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Started with the app rather than at the first sign-in, so that its address is in the log from the start.
        _ = emulator.Emulator;
        return Task.CompletedTask;
    }

    // After every hosted service has started, the server included: its addresses are known.
    public Task StartedAsync(CancellationToken cancellationToken) => RegisterAsync();

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RegisterAsync()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } bound ? bound : ["https://localhost", "http://localhost"];
        var callbackPaths = (await schemes.GetAllSchemesAsync().ConfigureAwait(false))
            .Where(scheme => typeof(EllipsisDriveHandler).IsAssignableFrom(scheme.HandlerType))
            .Select(scheme => options.Get(scheme.Name).CallbackPath)
            .Distinct();

        var redirectUris = emulator.Client.RedirectUris;
        var emulatorAddress = emulator.Emulator.BaseAddress;
        foreach (var callbackPath in callbackPaths)
        {
            foreach (var address in addresses)
            {
                if (!Uri.TryCreate(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri))
                {
                    continue;
                }

                foreach (var host in HostsFor(uri))
                {
                    var callback = new UriBuilder(uri.Scheme, host, uri.Port, callbackPath.Value).Uri.AbsoluteUri;
                    if (!redirectUris.Contains(callback))
                    {
                        redirectUris.Add(callback);
                    }
                }
            }
        }

        // The emulator's own address answers nothing a person should open (its consent page is reached through the app's
        // sign-in), so it is only in the Debug line.
        LogRunning(logger);
        LogRegistered(logger, emulatorAddress, redirectUris);
    }

    private static IEnumerable<string> HostsFor(Uri uri) =>
        uri.Host switch
        {
            "localhost" or "0.0.0.0" or "[::]" => ["localhost", "127.0.0.1", "[::1]"],
            _ => [uri.Host],
        };

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Signing in with the Ellipsis Drive emulator: no real Ellipsis Drive account is used (development only).")]
    private static partial void LogRunning(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Ellipsis Drive emulator at {EmulatorAddress}; registered callbacks: {RedirectUris}.")]
    private static partial void LogRegistered(ILogger logger, Uri emulatorAddress, IEnumerable<string> redirectUris);
}
