using System.Security.Cryptography;
using AspNet.Security.OAuth.EllipsisDrive;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace SpaApp;

/// <summary>
/// Emulator mode (the minimum of samples/WebApp's SampleEmulator): when no Ellipsis Drive client is configured, the
/// emulator runs in-process on a loopback port of its own and the sample registers there with its callback URLs.
/// </summary>
public sealed class SpaEmulator : IAsyncDisposable
{
    /// <summary>The client ID the sample registers at the emulator.</summary>
    public const string ClientId = "spa-sample";

    private readonly string _clientSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
    private EllipsisDriveEmulator? _drive;
    private EmulatorClient? _client;

    /// <summary>Gets the running emulator (tests read its recorded requests and issued secrets).</summary>
    public EllipsisDriveEmulator Drive => _drive ?? throw NotStarted();

    /// <summary>Gets the API base address of the emulator.</summary>
    public Uri BaseAddress => Drive.BaseAddress;

    /// <summary>Gets the random client secret; internal, for the tests' leak checks only.</summary>
    internal string ClientSecret => _clientSecret;

    /// <summary>Starts the emulator and registers the sample there.</summary>
    /// <param name="loggerFactory">The app's logging; the emulator's own host log lines are left out.</param>
    /// <returns>A task that completes when the emulator listens.</returns>
    public async Task StartAsync(ILoggerFactory loggerFactory)
    {
        _drive = await EllipsisDriveEmulator.StartAsync(new EllipsisDriveEmulatorOptions { LoggerFactory = new EmulatorLoggerFactory(loggerFactory) });
        _client = _drive.RegisterClient(ClientId, _clientSecret);
    }

    /// <summary>Registers the callback URL at every loopback address Kestrel listens on.</summary>
    /// <param name="server">The app's server.</param>
    /// <param name="callbackPath">The handler's callback path.</param>
    public void RegisterCallbacks(IServer server, PathString callbackPath)
    {
        ArgumentNullException.ThrowIfNull(server);
        var client = _client ?? throw NotStarted();
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                continue;
            }

            string[] hosts = uri.Host is "localhost" or "0.0.0.0" or "[::]" or "::" or "+" or "*" ? ["localhost", "127.0.0.1", "[::1]"] : [uri.Host];
            foreach (var host in hosts)
            {
                var callback = new UriBuilder(uri.Scheme, host, uri.Port, callbackPath.Value).Uri.AbsoluteUri;
                if (!client.RedirectUris.Contains(callback))
                {
                    client.RedirectUris.Add(callback);
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _drive, null) is { } drive)
        {
            await drive.DisposeAsync();
        }
    }

    /// <summary>Points the handler at the emulator; runs when the options are first built, after <see cref="StartAsync"/>.</summary>
    internal void Configure(EllipsisDriveOptions options)
    {
        options.BaseAddress = BaseAddress;
        options.ClientId = ClientId;
        options.ClientSecret = _clientSecret;
    }

    private static InvalidOperationException NotStarted() => new("The emulator is not started yet: Program starts it right after builder.Build().");

    private sealed class EmulatorLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith("Microsoft.", StringComparison.Ordinal)
                ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance
                : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose()
        {
        }
    }
}
