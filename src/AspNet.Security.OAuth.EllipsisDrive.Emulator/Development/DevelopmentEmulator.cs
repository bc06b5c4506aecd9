using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Development;

/// <summary>
/// The emulator of <c>AddEllipsisDriveEmulator</c>: started on first use (the handler's options are built at start-up
/// validation, before any hosted service runs, and need its address), stopped when the app's services are disposed.
/// </summary>
internal sealed class DevelopmentEmulator(Action<EllipsisDriveEmulatorOptions>? configure, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    /// <summary>The client ID under which the app is registered at the emulator.</summary>
    public const string ClientId = "development-app";

    private readonly Lock _gate = new();
    private EllipsisDriveEmulator? _emulator;
    private EmulatorClient? _client;
    private bool _disposed;

    public EllipsisDriveEmulator Emulator
    {
        get
        {
            EnsureStarted();
            return _emulator!;
        }
    }

    public EmulatorClient Client
    {
        get
        {
            EnsureStarted();
            return _client!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        EllipsisDriveEmulator? emulator;
        lock (_gate)
        {
            _disposed = true;
            emulator = _emulator;
        }

        if (emulator is not null)
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void EnsureStarted()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_emulator is not null)
            {
                return;
            }

            var options = new EllipsisDriveEmulatorOptions { LoggerFactory = new WithoutHostLogs(loggerFactory) };
            configure?.Invoke(options);
            // Synchronous: options are built synchronously. Kestrel binding a loopback port takes milliseconds.
            var emulator = Task.Run(() => EllipsisDriveEmulator.StartAsync(options)).GetAwaiter().GetResult();
            _client = emulator.RegisterClient(ClientId, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
            _emulator = emulator;
        }
    }

    /// <summary>
    /// The emulator's own log lines (why it rejected a request) go to the app's log; its host's start-up lines ("Now
    /// listening on" its port) are dropped, so the only URL printed is the app's.
    /// </summary>
    private sealed class WithoutHostLogs(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith("Microsoft.", StringComparison.Ordinal) ? NullLogger.Instance : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        // The app owns the inner factory.
        public void Dispose()
        {
        }
    }
}
