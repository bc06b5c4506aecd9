namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Serializes refreshes of one refresh token across the nodes of a farm. The in-process single flight already
/// serializes them within a node, so a single node needs nothing more (<see cref="NoRefreshLock"/>).
/// </summary>
internal interface IEllipsisDriveRefreshLock
{
    /// <summary>
    /// Takes the lock named after the refresh token's hash; <see cref="RefreshLockHandle.Waited"/> says whether another
    /// holder had it first (then its result should be looked for before refreshing).
    /// </summary>
    Task<RefreshLockHandle> AcquireAsync(string refreshTokenHash, CancellationToken cancellationToken);
}

internal sealed class RefreshLockHandle(bool waited, Func<Task>? release) : IAsyncDisposable
{
    public static readonly RefreshLockHandle None = new(false, null);

    public bool Waited { get; } = waited;

    public async ValueTask DisposeAsync()
    {
        if (release is not null)
        {
            await release().ConfigureAwait(false);
        }
    }
}

internal sealed class NoRefreshLock : IEllipsisDriveRefreshLock
{
    public Task<RefreshLockHandle> AcquireAsync(string refreshTokenHash, CancellationToken cancellationToken) => Task.FromResult(RefreshLockHandle.None);
}
