using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Keeps authentication tickets (and so the tokens) on the server, in the <see cref="IDistributedCache"/>,
/// protected with Data Protection; the cookie only carries a random 256-bit session key.
/// Every entry carries a generation: a ticket read at the start of a request carries the generation it was read
/// at, so a renewal with that (now older) copy keeps the newer content another request wrote meanwhile.
/// </summary>
/// <remarks>
/// Every read still goes to the <see cref="IDistributedCache"/> (a sign-out or a refresh on another node is seen at
/// once), but the Data Protection unprotect and the deserialization, about half a request's CPU, are skipped when the
/// protected bytes read are the very bytes this store decoded last for that session key: the result is a pure function
/// of those bytes (they are authenticated, and carry the key and the generation), so it is reused, as a fresh copy.
/// </remarks>
internal sealed partial class EllipsisDriveTicketStore : ITicketStore, IDisposable
{
    internal const string SessionKeyItem = ".ellipsisdrive.session";
    internal const string GenerationItem = ".ellipsisdrive.generation";

    // 2: the session key binds the entry as a Data Protection purpose instead of a copy inside it; 7-bit generation.
    private const byte FormatVersion = 2;
    private const int LockStripes = 64;

    private readonly IDistributedCache _cache;
    private readonly IDataProtector _protector;
    private readonly IDataProtector? _referenceProtector;
    private readonly TimeProvider _timeProvider;
    private readonly EllipsisDriveSessionOptions _options;
    private readonly EllipsisDriveMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim[] _locks = [.. Enumerable.Range(0, LockStripes).Select(_ => new SemaphoreSlim(1, 1))];
    // Keyed by the session key, sized by the length of the protected bytes.
    private readonly DecodedTicketCache<Decoded> _decoded = new();

    public EllipsisDriveTicketStore(
        IDistributedCache cache,
        IDataProtectionProvider dataProtection,
        TimeProvider timeProvider,
        IOptions<EllipsisDriveSessionOptions> options,
        EllipsisDriveMetrics metrics,
        ILogger<EllipsisDriveTicketStore> logger)
    {
        _cache = cache;
        _protector = dataProtection.CreateProtector("AspNet.Security.OAuth.EllipsisDrive.Sessions.v1");
        _timeProvider = timeProvider;
        _options = options.Value;
        _referenceProtector = _options.AddSessionReference ? EllipsisDriveSessionReference.CreateProtector(dataProtection) : null;
        _metrics = metrics;
        _logger = logger;
    }

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, CancellationToken.None);

    public Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken) => StoreAsync(ticket, null!, cancellationToken);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var key = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await WriteAsync(key, ticket, 1, "store", cancellationToken).ConfigureAwait(false);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) => RenewAsync(key, ticket, null!, cancellationToken);

    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var gate = GateFor(key);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await ReadEntryAsync(key, "renew", cancellationToken).ConfigureAwait(false);
            var incoming = ReadGeneration(ticket.Properties);
            if (current is not null && incoming is { } generation && generation < current.Generation)
            {
                // An older copy (read before another request saved new tokens): keep the newer content, take the new lifetime.
                LogStaleRenewal(_logger, generation, current.Generation);
                current.Ticket.Properties.IssuedUtc = ticket.Properties.IssuedUtc;
                current.Ticket.Properties.ExpiresUtc = ticket.Properties.ExpiresUtc;
                await WriteAsync(key, current.Ticket, current.Generation, "renew", cancellationToken).ConfigureAwait(false);
                return;
            }

            // A missing entry is inserted: the cache may have evicted it while the cookie is still valid.
            var next = Math.Max(current?.Generation ?? 0, incoming ?? 0) + 1;
            await WriteAsync(key, ticket, next, "renew", cancellationToken).ConfigureAwait(false);
        }
        catch (EllipsisDriveSessionStoreUnavailableException)
        {
            // A renewal only extends the lifetime; the request itself succeeded, so it does not fail for this.
        }
        finally
        {
            gate.Release();
        }
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveAsync(key, null!, cancellationToken);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        try
        {
            return (await ReadEntryAsync(key, "retrieve", cancellationToken).ConfigureAwait(false))?.Ticket;
        }
        catch (EllipsisDriveSessionStoreUnavailableException) when (_options.StoreFailureBehavior == EllipsisDriveSessionStoreFailureBehavior.SignedOut)
        {
            return null;
        }
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => RemoveAsync(key, null!, cancellationToken);

    public Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken) => DeleteAsync(key, "remove", cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _decoded.Dispose();

    /// <summary>
    /// Reads a session with the generation it is at; <see langword="null"/> when it does not exist (signed out, expired).
    /// </summary>
    internal async Task<AuthenticationTicket?> ReadAsync(string key, CancellationToken cancellationToken) =>
        (await ReadEntryAsync(key, "retrieve", cancellationToken).ConfigureAwait(false))?.Ticket;

    /// <summary>
    /// Changes a stored session in place (read, change, write with the next generation), without any response.
    /// Returns the changed ticket, or <see langword="null"/> when the session no longer exists.
    /// </summary>
    internal async Task<AuthenticationTicket?> UpdateAsync(string key, Action<AuthenticationProperties> change, CancellationToken cancellationToken)
    {
        var gate = GateFor(key);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await ReadEntryAsync(key, "update", cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }

            change(current.Ticket.Properties);
            var next = current.Generation + 1;
            await WriteAsync(key, current.Ticket, next, "update", cancellationToken).ConfigureAwait(false);
            current.Ticket.Properties.Items[GenerationItem] = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return current.Ticket;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<Entry?> ReadEntryAsync(string key, string operation, CancellationToken cancellationToken)
    {
        byte[]? bytes = null;
        await RunAsync(async () => bytes = await _cache.GetAsync(CacheKey(key), cancellationToken).ConfigureAwait(false), operation, cancellationToken)
            .ConfigureAwait(false);
        if (bytes is null)
        {
            _decoded.Remove(key);
            return null;
        }

        // Byte for byte the payload decoded last time: the same ticket, without a second unprotect. The cached ticket is
        // never handed out, only copies, so a caller that changes its ticket (renewal, update) cannot change the cache.
        if (_decoded.TryGet(key, out var decoded) && decoded!.Bytes.AsSpan().SequenceEqual(bytes))
        {
            return new Entry(decoded.Ticket.Clone(), decoded.Generation);
        }

        var entry = Deserialize(key, bytes);
        if (entry is null)
        {
            // Unreadable (keys lost, tampered, another format): the session is over.
            LogUnreadableEntry(_logger);
            await DeleteAsync(key, "remove", cancellationToken).ConfigureAwait(false);
            return null;
        }

        entry.Ticket.Properties.Items[SessionKeyItem] = key;
        if (_referenceProtector is not null)
        {
            EllipsisDriveSessionReference.Attach(entry.Ticket.Principal, key, _referenceProtector);
        }

        entry.Ticket.Properties.Items[GenerationItem] = entry.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _decoded.Set(key, new Decoded(bytes, entry.Ticket.Clone(), entry.Generation), bytes.Length);
        return entry;
    }

    private async Task DeleteAsync(string key, string operation, CancellationToken cancellationToken)
    {
        // Evicted before and after: a read racing the removal may have cached the old bytes, but they are only used
        // when the store still returns them, which it no longer does.
        _decoded.Remove(key);
        try
        {
            await RunAsync(() => _cache.RemoveAsync(CacheKey(key), cancellationToken), operation, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _decoded.Remove(key);
        }
    }

    private async Task WriteAsync(string key, AuthenticationTicket ticket, long generation, string operation, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var lifetime = (ticket.Properties.ExpiresUtc ?? now.Add(_options.DefaultLifetime)) - now;
        if (lifetime <= TimeSpan.Zero)
        {
            await DeleteAsync(key, "remove", cancellationToken).ConfigureAwait(false);
            return;
        }

        // New bytes (protection is randomized) never match the cached ones; the eviction only frees the memory early.
        _decoded.Remove(key);
        var bytes = Serialize(key, ticket, generation);
        // Relative expiry: the cache's clock need not be the TimeProvider's.
        var entryOptions = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime };
        await RunAsync(() => _cache.SetAsync(CacheKey(key), bytes, entryOptions, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(Func<Task> action, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await action().WaitAsync(_options.OperationTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is not EllipsisDriveSessionStoreUnavailableException)
        {
            _metrics.StoreError(operation);
            LogStoreError(_logger, operation, exception.GetType().Name, exception);
            throw new EllipsisDriveSessionStoreUnavailableException(operation, exception);
        }
    }

    private byte[] Serialize(string key, AuthenticationTicket ticket, long generation)
    {
        var properties = ticket.Properties.Clone();
        properties.Items.Remove(SessionKeyItem);
        properties.Items.Remove(GenerationItem);
        // The session reference is added on each read; the stored ticket never carries it.
        var clean = new AuthenticationTicket(EllipsisDriveSessionReference.Detach(ticket.Principal), properties, ticket.AuthenticationScheme);

        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatVersion);
            writer.Write7BitEncodedInt64(generation);
            TicketSerializer.Default.Write(writer, clean);
        }

        // The key as a purpose stops an entry from being replayed under another key, without storing it again.
        return _protector.CreateProtector(key).Protect(buffer.ToArray());
    }

    private Entry? Deserialize(string key, byte[] bytes)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(_protector.CreateProtector(key).Unprotect(bytes)), System.Text.Encoding.UTF8);
            if (reader.ReadByte() != FormatVersion)
            {
                return null;
            }

            var generation = reader.Read7BitEncodedInt64();

            var ticket = TicketSerializer.Default.Read(reader);
            return ticket is null ? null : new Entry(ticket, generation);
        }
        catch (Exception exception) when (exception is CryptographicException or EndOfStreamException or IOException or FormatException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private static long? ReadGeneration(AuthenticationProperties properties) =>
        properties.Items.TryGetValue(GenerationItem, out var value)
            && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var generation)
            ? generation
            : null;

    private string CacheKey(string key) => _options.KeyPrefix + key;

    private SemaphoreSlim GateFor(string key) => _locks[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % LockStripes)];

    private sealed record Entry(AuthenticationTicket Ticket, long Generation);

    private sealed record Decoded(byte[] Bytes, AuthenticationTicket Ticket, long Generation);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "The session store failed during '{Operation}' ({ExceptionType}); the session is treated as unavailable.")]
    private static partial void LogStoreError(ILogger logger, string operation, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "A session entry could not be read (Data Protection keys changed, or the entry was tampered with); it was removed and the user is signed out.")]
    private static partial void LogUnreadableEntry(ILogger logger);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "A renewal carried session generation {Incoming}, older than the stored {Stored}; the newer content was kept and only its lifetime extended.")]
    private static partial void LogStaleRenewal(ILogger logger, long incoming, long stored);
}
