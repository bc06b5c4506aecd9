using System.Globalization;
using System.Security.Cryptography;
using AspNet.Security.OAuth.EllipsisDrive;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace WebApp;

/// <summary>
/// Emulator mode: when no Ellipsis Drive client is configured, the sample starts the emulator in-process on
/// its own loopback port and registers itself there as a client, so it runs offline with no real account.
/// </summary>
public sealed class SampleEmulator : IAsyncDisposable
{
    /// <summary>The client ID the sample registers at the emulator.</summary>
    public const string ClientId = "webapp-sample";

    private EllipsisDriveEmulator? _drive;
    private EmulatorClient? _client;

    /// <summary>Gets the running emulator (tests read its recorded requests and issued secrets).</summary>
    public EllipsisDriveEmulator Drive => _drive ?? throw NotStarted();

    /// <summary>Gets the API base address of the emulator, ending with <c>/v3/</c>.</summary>
    public Uri BaseAddress => Drive.BaseAddress;

    /// <summary>Gets the callback URLs registered at the emulator.</summary>
    public IEnumerable<string> RedirectUris => Client.RedirectUris;

    /// <summary>Gets the random client secret; internal, for the tests' leak checks only.</summary>
    internal string ClientSecret => Client.ClientSecret;

    private EmulatorClient Client => _client ?? throw NotStarted();

    /// <summary>
    /// Starts the emulator and registers the sample there with a random secret.
    /// <c>Emulator:AccessTokenLifetimeSeconds</c> and <c>Emulator:Port</c> override the emulator's defaults.
    /// </summary>
    public async Task StartAsync(IConfiguration configuration, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var options = new EllipsisDriveEmulatorOptions { LoggerFactory = new EmulatorLoggerFactory(loggerFactory) };
        var section = configuration.GetSection("Emulator");
        if (section["AccessTokenLifetimeSeconds"] is { Length: > 0 } lifetime)
        {
            options.AccessTokenLifetime = TimeSpan.FromSeconds(double.Parse(lifetime, CultureInfo.InvariantCulture));
        }

        if (section["Port"] is { Length: > 0 } port)
        {
            options.Port = int.Parse(port, CultureInfo.InvariantCulture);
        }

        _drive = await EllipsisDriveEmulator.StartAsync(options, cancellationToken);
        _client = _drive.RegisterClient(ClientId, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
    }

    /// <summary>
    /// Registers the sample's callback URL at every address Kestrel listens on. A wildcard or <c>localhost</c>
    /// binding is registered under the loopback names a browser may use for it.
    /// </summary>
    public void RegisterCallbacks(IServer server, PathString callbackPath)
    {
        ArgumentNullException.ThrowIfNull(server);

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                continue;
            }

            foreach (var host in HostsFor(uri))
            {
                var callback = new UriBuilder(uri.Scheme, host, uri.Port, callbackPath.Value).Uri.AbsoluteUri;
                if (!Client.RedirectUris.Contains(callback))
                {
                    Client.RedirectUris.Add(callback);
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

    private static IEnumerable<string> HostsFor(Uri uri) =>
        uri.Host switch
        {
            "localhost" or "0.0.0.0" or "[::]" or "::" or "+" or "*" => ["localhost", "127.0.0.1", "[::1]"],
            _ => [uri.Host],
        };

    /// <summary>Points the handler at the emulator; runs when the options are first needed, after <see cref="StartAsync"/>.</summary>
    internal void Configure(EllipsisDriveOptions options)
    {
        options.BaseAddress = BaseAddress;
        options.ClientId = ClientId;
        options.ClientSecret = ClientSecret;
    }

    private static InvalidOperationException NotStarted() =>
        new("The emulator is not started yet: Program starts it right after builder.Build().");

    /// <summary>
    /// The emulator's own log lines (why it rejected a request) go to the app's log; its host's start-up lines
    /// ("Now listening on" its port) are dropped, so the only URL printed is the app's.
    /// </summary>
    private sealed class EmulatorLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith("Microsoft.", StringComparison.Ordinal)
                ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance
                : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        // The app owns the inner factory.
        public void Dispose()
        {
        }
    }
}
