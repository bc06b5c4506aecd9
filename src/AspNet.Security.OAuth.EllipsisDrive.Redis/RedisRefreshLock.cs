using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The cross-node refresh lock of a web farm: a Redis lock (<c>LockTakeAsync</c> with an expiry) named after the hash of
/// the refresh token, so that of all nodes holding one session only one spends its refresh token; the others wait, then
/// find its result in the shared session store. When Redis cannot be reached <see cref="AcquireAsync"/> throws, and the
/// token service refreshes without the lock.
/// </summary>
internal sealed partial class RedisRefreshLock : IEllipsisDriveRefreshLock
{
    private const string KeyPrefix = "EllipsisDrive:refresh-lock:";
    // A refresh takes a few milliseconds: the first polls come soon after, then every 25 ms.
    private static readonly TimeSpan[] PollDelays = [TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(15)];
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    private readonly Lazy<Task<IConnectionMultiplexer>> _connection;
    private readonly IOptions<EllipsisDriveTokenOptions> _options;
    private readonly IOptions<EllipsisDriveSessionOptions> _storeOptions;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public RedisRefreshLock(
        Func<Task<IConnectionMultiplexer>> connect,
        IOptions<EllipsisDriveTokenOptions> options,
        IOptions<EllipsisDriveSessionOptions> storeOptions,
        TimeProvider timeProvider,
        ILogger<RedisRefreshLock> logger)
    {
        _connection = new Lazy<Task<IConnectionMultiplexer>>(connect, LazyThreadSafetyMode.ExecutionAndPublication);
        _options = options;
        _storeOptions = storeOptions;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<EllipsisDriveRefreshLockHandle> AcquireAsync(string refreshTokenHash, CancellationToken cancellationToken)
    {
        RedisKey key = KeyPrefix + refreshTokenHash;
        RedisValue owner = Guid.NewGuid().ToString("N");
        // The lock outlives the longest refresh, so it is never released under a running refresh; a crashed holder's lock expires.
        var expiry = _options.Value.RefreshTimeout + TimeSpan.FromSeconds(5);
        var waited = false;
        var waitedFor = TimeSpan.Zero;

        // Failures (Redis unreachable, a timeout) go to the token service, which refreshes without the lock.
        var database = (await _connection.Value.WaitAsync(_storeOptions.Value.OperationTimeout, _timeProvider, cancellationToken).ConfigureAwait(false)).GetDatabase();
        for (var attempt = 0; ; attempt++)
        {
            var taken = await database.LockTakeAsync(key, owner, expiry)
                .WaitAsync(_storeOptions.Value.OperationTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            if (taken)
            {
                return new EllipsisDriveRefreshLockHandle(waited, () => ReleaseAsync(database, key, owner));
            }

            waited = true;
            if (waitedFor >= _options.Value.RefreshTimeout)
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

    private async Task ReleaseAsync(IDatabase database, RedisKey key, RedisValue owner)
    {
        try
        {
            await database.LockReleaseAsync(key, owner).WaitAsync(_storeOptions.Value.OperationTimeout, _timeProvider).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The lock expires on its own.
            LogReleaseFailed(_logger, exception.GetType().Name, exception);
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "The Redis refresh lock could not be released ({ExceptionType}); it expires on its own after EllipsisDriveTokenOptions.RefreshTimeout plus 5 seconds.")]
    private static partial void LogReleaseFailed(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Another node held the refresh lock longer than EllipsisDriveTokenOptions.RefreshTimeout; refreshing without it.")]
    private static partial void LogGaveUpWaiting(ILogger logger);
}
