using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Short-lived entries, keyed by the SHA-256 of a refresh token that was just used, holding what replaced it: the new
/// tokens, or the fact that it was rejected. A request (on any node) that still carries the old refresh token finds them
/// here instead of spending the old token a second time, which a rotating server would reject.
/// Entries are protected with Data Protection; neither keys nor values reveal a token.
/// </summary>
internal sealed partial class RefreshTokenSuccessors
{
    private const string KeyPrefix = "EllipsisDrive:successor:";

    private readonly IDistributedCache _cache;
    private readonly IDataProtector _protector;
    private readonly TimeProvider _timeProvider;
    private readonly IOptions<EllipsisDriveTokenOptions> _options;
    private readonly IOptions<EllipsisDriveSessionOptions> _storeOptions;
    private readonly EllipsisDriveMetrics _metrics;
    private readonly ILogger _logger;

    public RefreshTokenSuccessors(
        IDistributedCache cache,
        IDataProtectionProvider dataProtection,
        TimeProvider timeProvider,
        IOptions<EllipsisDriveTokenOptions> options,
        IOptions<EllipsisDriveSessionOptions> storeOptions,
        EllipsisDriveMetrics metrics,
        ILogger<RefreshTokenSuccessors> logger)
    {
        _cache = cache;
        _protector = dataProtection.CreateProtector("AspNet.Security.OAuth.EllipsisDrive.RefreshSuccessors.v1");
        _timeProvider = timeProvider;
        _options = options;
        _storeOptions = storeOptions;
        _metrics = metrics;
        _logger = logger;
    }

    public static string Hash(string refreshToken) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)));

    public async Task<Successor?> ReadAsync(string refreshTokenHash, CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await _cache.GetAsync(KeyPrefix + refreshTokenHash, cancellationToken)
                .WaitAsync(_storeOptions.Value.OperationTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed("successor-read", exception);
            return null;
        }

        if (bytes is null)
        {
            return null;
        }

        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(_protector.Unprotect(bytes));
            return entry is null
                ? null
                : new Successor(entry.Dead ? null : new TokenSnapshot(entry.A, entry.R, entry.T, entry.E), entry.Dead ? entry.Kind : null);
        }
        catch (Exception exception) when (exception is CryptographicException or JsonException)
        {
            return null;
        }
    }

    public Task WriteAsync(string refreshTokenHash, TokenSnapshot tokens) =>
        WriteAsync(refreshTokenHash, new Entry { A = tokens.AccessToken, R = tokens.RefreshToken, T = tokens.TokenType, E = tokens.ExpiresAt });

    public Task WriteRejectedAsync(string refreshTokenHash, EllipsisDriveTokenErrorKind kind) =>
        WriteAsync(refreshTokenHash, new Entry { Dead = true, Kind = kind });

    private async Task WriteAsync(string refreshTokenHash, Entry entry)
    {
        var bytes = _protector.Protect(JsonSerializer.SerializeToUtf8Bytes(entry));
        try
        {
            await _cache.SetAsync(
                    KeyPrefix + refreshTokenHash,
                    bytes,
                    new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = _options.Value.SuccessorLifetime })
                .WaitAsync(_storeOptions.Value.OperationTimeout, _timeProvider).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Failed("successor-write", exception);
        }
    }

    private void Failed(string operation, Exception exception)
    {
        _metrics.StoreError(operation);
        LogFailed(_logger, operation, exception.GetType().Name, exception);
    }

    internal sealed record Successor(TokenSnapshot? Tokens, EllipsisDriveTokenErrorKind? RejectedAs);

    private sealed class Entry
    {
        public string? A { get; set; }

        public string? R { get; set; }

        public string? T { get; set; }

        public DateTimeOffset? E { get; set; }

        public bool Dead { get; set; }

        public EllipsisDriveTokenErrorKind? Kind { get; set; }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "The refresh successor cache failed during '{Operation}' ({ExceptionType}); continuing without it.")]
    private static partial void LogFailed(ILogger logger, string operation, string exceptionType, Exception exception);
}
