namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Serializes the refreshes of one refresh token across the nodes of a web farm, so that a rotating refresh token is
/// spent once. Within a node the token service already lets one refresh run at a time, so a single node needs no lock;
/// register one (Redis, the Entity Framework Core store's, or your own) as a singleton for a farm.
/// </summary>
/// <remarks>
/// The token service takes the lock around each call to the token endpoint and releases it (by disposing the handle)
/// once the result is saved, then the other nodes, which were waiting, find that result instead of refreshing again.
/// Hold a lock for at most <see cref="EllipsisDriveTokenOptions.RefreshTimeout"/> plus a margin, so that a crashed
/// holder does not keep others waiting for ever.
/// </remarks>
public interface IEllipsisDriveRefreshLock
{
    /// <summary>
    /// Takes the lock named <paramref name="refreshTokenHash"/>, waiting while another holder has it.
    /// </summary>
    /// <param name="refreshTokenHash">
    /// The key: the SHA-256 of the refresh token, in lower-case hex (no secret; safe to use as a key in a shared store).
    /// </param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>
    /// The handle that releases the lock when disposed; <see cref="EllipsisDriveRefreshLockHandle.None"/> or a handle
    /// without a release when the lock was given up (a holder kept it too long).
    /// </returns>
    /// <exception cref="Exception">
    /// Any exception other than a cancellation of <paramref name="cancellationToken"/> says the lock's store cannot be
    /// reached: the token service then refreshes without the lock (logged as a warning and counted as a store error),
    /// since refusing to refresh would fail every user while that store is down.
    /// </exception>
    Task<EllipsisDriveRefreshLockHandle> AcquireAsync(string refreshTokenHash, CancellationToken cancellationToken);
}

/// <summary>
/// A refresh lock taken by <see cref="IEllipsisDriveRefreshLock.AcquireAsync"/>: disposing it releases the lock, once.
/// </summary>
public sealed class EllipsisDriveRefreshLockHandle : IAsyncDisposable
{
    private Func<Task>? _release;

    /// <summary>
    /// Creates a handle.
    /// </summary>
    /// <param name="waited">Whether another holder had the lock first (so this one waited for it).</param>
    /// <param name="release">Releases the lock; <see langword="null"/> when nothing is held. Called at most once.</param>
    public EllipsisDriveRefreshLockHandle(bool waited, Func<Task>? release)
    {
        Waited = waited;
        _release = release;
    }

    /// <summary>
    /// A handle that holds nothing: what a lock returns when it is not needed or was given up.
    /// </summary>
    public static EllipsisDriveRefreshLockHandle None { get; } = new(waited: false, release: null);

    /// <summary>
    /// Whether another holder had the lock first, so that this one waited for it (for diagnostics and tests: the token
    /// service looks for another node's result after every lock, waited for or not).
    /// </summary>
    public bool Waited { get; }

    /// <summary>
    /// Releases the lock; later calls do nothing.
    /// </summary>
    /// <returns>A task that completes when the lock is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _release, null) is { } release)
        {
            await release().ConfigureAwait(false);
        }
    }
}

internal sealed class NoRefreshLock : IEllipsisDriveRefreshLock
{
    public Task<EllipsisDriveRefreshLockHandle> AcquireAsync(string refreshTokenHash, CancellationToken cancellationToken) =>
        Task.FromResult(EllipsisDriveRefreshLockHandle.None);
}
