using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// <see cref="IEllipsisDriveTokenStore"/> on Entity Framework Core: one row per (scheme, user key) in
/// <c>EllipsisDriveGrants</c>, both tokens protected with Data Protection, the refresh token's SHA-256 beside them so that
/// a compare-and-swap save compares without decrypting, and an integer version that every update checks (optimistic
/// concurrency), so that of two nodes saving over the same refresh token exactly one succeeds.
/// </summary>
internal sealed partial class EllipsisDriveTokenStore : IEllipsisDriveTokenStore
{
    /// <summary>The Data Protection purpose of the stored tokens.</summary>
    public const string Purpose = "AspNet.Security.OAuth.EllipsisDrive.EntityFrameworkCore.Grants.v1";

    // An unconditional save that keeps losing to concurrent writers gives up after this many tries.
    private const int UnconditionalAttempts = 5;

    private readonly IDbContextFactory<EllipsisDriveTokenDbContext> _contexts;
    private readonly EllipsisDriveTokenSchema _schema;
    private readonly IDataProtector _protector;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public EllipsisDriveTokenStore(
        IDbContextFactory<EllipsisDriveTokenDbContext> contexts,
        EllipsisDriveTokenSchema schema,
        IDataProtectionProvider dataProtection,
        TimeProvider timeProvider,
        ILogger<EllipsisDriveTokenStore> logger)
    {
        _contexts = contexts;
        _schema = schema;
        _protector = dataProtection.CreateProtector(Purpose);
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<EllipsisDriveGrant?> GetAsync(string scheme, string userKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(userKey);

        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var row = await context.Grants.AsNoTracking()
                .FirstOrDefaultAsync(grant => grant.Scheme == scheme && grant.UserKey == userKey, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            string? accessToken, refreshToken;
            try
            {
                accessToken = Unprotect(ProtectorFor(scheme, userKey, TokenKind.Access), row.AccessToken);
                refreshToken = Unprotect(ProtectorFor(scheme, userKey, TokenKind.Refresh), row.RefreshToken);
            }
            catch (CryptographicException)
            {
                LogUnreadable(_logger, scheme, userKey);
                return null;
            }

            return new EllipsisDriveGrant
            {
                AccessToken = accessToken,
                RefreshToken = refreshToken,
                TokenType = row.TokenType,
                ExpiresAt = row.ExpiresAt,
                RefreshedAt = row.RefreshedAt,
                ReconnectRequired = row.ReconnectRequired,
            };
        }
    }

    public async Task<bool> SaveAsync(string scheme, string userKey, EllipsisDriveGrant grant, string? expectedRefreshToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(userKey);
        ArgumentNullException.ThrowIfNull(grant);

        var expectedHash = expectedRefreshToken is null ? null : Hash(expectedRefreshToken);
        for (var attempt = 1; ; attempt++)
        {
            var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (context.ConfigureAwait(false))
            {
                var row = await context.Grants
                    .FirstOrDefaultAsync(stored => stored.Scheme == scheme && stored.UserKey == userKey, cancellationToken).ConfigureAwait(false);
                if (expectedHash is not null && (row is null || !string.Equals(row.RefreshTokenHash, expectedHash, StringComparison.Ordinal)))
                {
                    return false;
                }

                var inserting = row is null;
                if (row is null)
                {
                    row = new GrantRow { Scheme = scheme, UserKey = userKey };
                    context.Grants.Add(row);
                }
                else
                {
                    row.Version++;
                }

                Fill(row, grant);
                try
                {
                    await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (DbUpdateConcurrencyException) when (expectedHash is not null)
                {
                    // Another node replaced (or removed) the grant between the read and the write: it won.
                    return false;
                }
                catch (DbUpdateException exception) when (expectedHash is null && attempt < UnconditionalAttempts && (inserting || exception is DbUpdateConcurrencyException))
                {
                    // An unconditional save overwrites: another node inserted the row first (a unique-key violation) or
                    // updated it between the read and the write, so read it again and overwrite it. A failed insert of a
                    // row that still does not exist is a database error, not a race.
                    if (inserting && !await ExistsAsync(scheme, userKey, cancellationToken).ConfigureAwait(false))
                    {
                        throw;
                    }
                }
            }
        }
    }

    public async Task<bool> RemoveAsync(string scheme, string userKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(userKey);

        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.Grants
                .Where(grant => grant.Scheme == scheme && grant.UserKey == userKey)
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
    }

    private async Task<EllipsisDriveTokenDbContext> OpenAsync(CancellationToken cancellationToken)
    {
        var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _schema.EnsureCreatedAsync(context, cancellationToken).ConfigureAwait(false);
            return context;
        }
        catch
        {
            await context.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<bool> ExistsAsync(string scheme, string userKey, CancellationToken cancellationToken)
    {
        var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.Grants.AnyAsync(grant => grant.Scheme == scheme && grant.UserKey == userKey, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Fill(GrantRow row, EllipsisDriveGrant grant)
    {
        row.AccessToken = Protect(ProtectorFor(row.Scheme, row.UserKey, TokenKind.Access), grant.AccessToken);
        row.RefreshToken = Protect(ProtectorFor(row.Scheme, row.UserKey, TokenKind.Refresh), grant.RefreshToken);
        row.RefreshTokenHash = grant.RefreshToken is null ? null : Hash(grant.RefreshToken);
        row.TokenType = grant.TokenType;
        // PostgreSQL's timestamptz takes UTC only; the instant is what matters.
        row.ExpiresAt = grant.ExpiresAt?.ToUniversalTime();
        row.RefreshedAt = grant.RefreshedAt?.ToUniversalTime();
        row.ReconnectRequired = grant.ReconnectRequired;
        row.UpdatedAt = _timeProvider.GetUtcNow();
    }

    // Bound to the row: ciphertext copied into another user's row (or from one column to the other) does not decrypt there.
    private IDataProtector ProtectorFor(string scheme, string userKey, TokenKind kind) =>
        _protector.CreateProtector(kind == TokenKind.Access ? "access_token" : "refresh_token", scheme, userKey);

    private static string Hash(string refreshToken) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)));

    private static string? Protect(IDataProtector protector, string? token) => token is null ? null : protector.Protect(token);

    private static string? Unprotect(IDataProtector protector, string? token) => token is null ? null : protector.Unprotect(token);

    private enum TokenKind
    {
        Access,
        Refresh,
    }

    [LoggerMessage(EventId = 1511, Level = LogLevel.Warning, Message = "The stored Ellipsis Drive grant of user {UserKey} (scheme {Scheme}) cannot be decrypted (the Data Protection key ring changed or lost its key); it reads as absent and the user must connect Ellipsis Drive again. Share and persist the key ring across nodes and restarts.")]
    private static partial void LogUnreadable(ILogger logger, string scheme, string userKey);
}
