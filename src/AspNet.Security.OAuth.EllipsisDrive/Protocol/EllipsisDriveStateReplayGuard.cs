using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Remembers which sign-in states were used, so a callback replayed with a copy of its state cookie is
/// rejected even though the browser's cookie was deleted. Deleting the cookie only stops the browser; a copy
/// taken before the first use would otherwise stay good until it expires. The record lives in the
/// application's <see cref="IDistributedCache"/> when it has one (so a replay to another server of a farm is
/// caught too) and in memory otherwise; only a hash of the state is stored. The in-memory
/// <see cref="MemoryDistributedCache"/> (what <c>AddDistributedMemoryCache</c> registers) counts as none: it
/// lives in this process too, so it would only keep a second copy of the local record.
/// </summary>
internal sealed partial class EllipsisDriveStateReplayGuard : IDisposable
{
    private const string KeyPrefix = "AspNet.Security.OAuth.EllipsisDrive.UsedState:";
    private const int MaxLocalEntries = 100_000;
    private static readonly byte[] Used = [1];
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(1);

    private readonly IDistributedCache? _distributed;
    private readonly MemoryCache _local = new(new MemoryCacheOptions { SizeLimit = MaxLocalEntries });
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public EllipsisDriveStateReplayGuard(IServiceProvider services, ILogger<EllipsisDriveStateReplayGuard> logger)
    {
        var distributed = services.GetService<IDistributedCache>();
        _distributed = distributed?.GetType() == typeof(MemoryDistributedCache) ? null : distributed;
        _timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _logger = logger;
    }

    /// <summary>
    /// Marks <paramref name="state"/> of <paramref name="scheme"/> as used; <see langword="false"/> when it was used before.
    /// </summary>
    public async Task<bool> TryConsumeAsync(string scheme, string state, TimeSpan remainingLifetime, CancellationToken cancellationToken)
    {
        var key = string.Concat(KeyPrefix, scheme, ":", EllipsisDriveState.Hash(state));
        var lifetime = remainingLifetime > TimeSpan.FromSeconds(1) ? remainingLifetime : TimeSpan.FromSeconds(1);

        // In memory first: it answers a replay to this server even when the distributed cache is down.
        var firstHere = false;
        lock (_local)
        {
            if (!_local.TryGetValue(key, out _))
            {
                _local.Set(key, Used, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime, Size = 1 });
                firstHere = true;
            }
        }

        if (!firstHere)
        {
            return false;
        }

        if (_distributed is null)
        {
            return true;
        }

        try
        {
            // WaitAsync bounds the wait without a linked token source and its timer when the call completes at once;
            // a call that overruns is abandoned (its result is not needed), not cancelled.
            if (await _distributed.GetAsync(key, cancellationToken).WaitAsync(StoreTimeout, _timeProvider, cancellationToken).ConfigureAwait(false) is not null)
            {
                return false;
            }

            await _distributed.SetAsync(key, Used, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime }, cancellationToken)
                .WaitAsync(StoreTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The sign-in goes on: the state cookie is still one-use in the browser and the code one-use at Ellipsis Drive.
            Log.StoreUnavailable(_logger, exception.GetType().Name);
        }

        return true;
    }

    public void Dispose() => _local.Dispose();

    private static partial class Log
    {
        [LoggerMessage(9, LogLevel.Warning, "The distributed cache could not record a used sign-in state ({ExceptionType}); replays are detected on this server only until it answers again.", EventName = "StateReplayStoreUnavailable")]
        public static partial void StoreUnavailable(ILogger logger, string exceptionType);
    }
}
