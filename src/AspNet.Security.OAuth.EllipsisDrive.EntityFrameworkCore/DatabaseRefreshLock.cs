using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The cross-node refresh lock on the token store's database: a row in <c>EllipsisDriveRefreshLeases</c> keyed by the
/// refresh token's hash, inserted by the holder (the primary key lets only one in) and deleted on release. A lease that
/// outlived its expiry (a crashed holder) is taken over by an update conditioned on that expiry, so only one waiter
/// gets it. When the database cannot be reached <see cref="AcquireAsync"/> throws, and the token service refreshes
/// without the lock, as with the Redis lock.
/// </summary>
internal sealed partial class DatabaseRefreshLock : IEllipsisDriveRefreshLock
{
    // A refresh takes a few milliseconds: the first polls come soon after, then every 25 ms (as the Redis lock).
    private static readonly TimeSpan[] PollDelays = [TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(15)];
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    private readonly IDbContextFactory<EllipsisDriveTokenDbContext> _contexts;
    private readonly EllipsisDriveTokenSchema _schema;
    private readonly IOptions<EllipsisDriveTokenOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private string? _insertSql;

    public DatabaseRefreshLock(
        IDbContextFactory<EllipsisDriveTokenDbContext> contexts,
        EllipsisDriveTokenSchema schema,
        IOptions<EllipsisDriveTokenOptions> options,
        TimeProvider timeProvider,
        ILogger<DatabaseRefreshLock> logger)
    {
        _contexts = contexts;
        _schema = schema;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<EllipsisDriveRefreshLockHandle> AcquireAsync(string refreshTokenHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refreshTokenHash);

        var owner = Guid.NewGuid().ToString("N");
        // The lease outlives the longest refresh, so it is never taken over under a running refresh; a crashed holder's expires.
        var leaseLength = _options.Value.RefreshTimeout + TimeSpan.FromSeconds(5);
        var waited = false;
        var waitedFor = TimeSpan.Zero;

        for (var attempt = 0; ; attempt++)
        {
            // A database failure goes to the token service, which refreshes without the lock.
            if (await TryTakeAsync(refreshTokenHash, owner, leaseLength, cancellationToken).ConfigureAwait(false))
            {
                return new EllipsisDriveRefreshLockHandle(waited, () => ReleaseAsync(refreshTokenHash, owner));
            }

            waited = true;
            // A bound in real time, should the holder's clock run far ahead of this node's (its lease would look unexpired).
            if (waitedFor >= leaseLength)
            {
                LogGaveUpWaiting(_logger);
                return new EllipsisDriveRefreshLockHandle(waited, null);
            }

            // The pace of polling, not a clock reading: real time, so a test's frozen clock cannot stall a waiting node.
            var delay = attempt < PollDelays.Length ? PollDelays[attempt] : PollInterval;
            waitedFor += delay;
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> TryTakeAsync(string key, string owner, TimeSpan leaseLength, CancellationToken cancellationToken)
    {
        var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            await _schema.EnsureCreatedAsync(context, cancellationToken).ConfigureAwait(false);
            var now = _timeProvider.GetUtcNow();
            var expiresAt = now + leaseLength;

            // Insert unless a lease exists: ON CONFLICT DO NOTHING (SQLite and PostgreSQL) instead of catching a unique-key
            // violation, so that contention, the normal case here, logs no database error.
            if (await context.Database.ExecuteSqlRawAsync(_insertSql ??= InsertSql(context), [key, owner, expiresAt.ToUnixTimeMilliseconds()], cancellationToken).ConfigureAwait(false) == 1)
            {
                return true;
            }

            // Take over an expired lease: the update is conditioned on the expiry it saw, so of several waiters one gets it.
            return await context.Leases
                .Where(lease => lease.Key == key && lease.ExpiresAt <= now)
                .ExecuteUpdateAsync(
                    setters => setters.SetProperty(lease => lease.Owner, owner).SetProperty(lease => lease.ExpiresAt, expiresAt),
                    cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    private async Task ReleaseAsync(string key, string owner)
    {
        try
        {
            // Not the caller's cancellation: a release that does not happen keeps the others waiting until the lease expires.
            var context = await _contexts.CreateDbContextAsync().ConfigureAwait(false);
            await using (context.ConfigureAwait(false))
            {
                await context.Leases.Where(lease => lease.Key == key && lease.Owner == owner).ExecuteDeleteAsync().ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            // The lease expires on its own.
            LogReleaseFailed(_logger, exception.GetType().Name, exception);
        }
    }

    private static string InsertSql(EllipsisDriveTokenDbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        var entity = context.Model.FindEntityType(typeof(LeaseRow))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!);

        return $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({Column(nameof(LeaseRow.Key))}, {Column(nameof(LeaseRow.Owner))}, {Column(nameof(LeaseRow.ExpiresAt))}) VALUES ({{0}}, {{1}}, {{2}}) ON CONFLICT DO NOTHING";
    }

    [LoggerMessage(EventId = 1521, Level = LogLevel.Warning, Message = "The database refresh lease could not be released ({ExceptionType}); it expires on its own after EllipsisDriveTokenOptions.RefreshTimeout plus 5 seconds.")]
    private static partial void LogReleaseFailed(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 1522, Level = LogLevel.Warning, Message = "Another node held the database refresh lease longer than EllipsisDriveTokenOptions.RefreshTimeout plus 5 seconds; refreshing without it. Check that the nodes' clocks agree.")]
    private static partial void LogGaveUpWaiting(ILogger logger);
}
