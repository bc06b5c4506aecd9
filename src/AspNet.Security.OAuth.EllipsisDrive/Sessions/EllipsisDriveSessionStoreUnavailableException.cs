namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The server-side session store (the <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>, for
/// example Redis) failed or did not answer within <see cref="EllipsisDriveSessionOptions.OperationTimeout"/>.
/// Requests that meet it are answered with HTTP 503 by the middleware <c>AddEllipsisDriveSessions</c> adds.
/// </summary>
public sealed class EllipsisDriveSessionStoreUnavailableException : Exception
{
    /// <summary>
    /// Initializes a new <see cref="EllipsisDriveSessionStoreUnavailableException"/>.
    /// </summary>
    /// <param name="operation">The store operation that failed (for example <c>retrieve</c>).</param>
    /// <param name="innerException">The failure of the cache.</param>
    public EllipsisDriveSessionStoreUnavailableException(string operation, Exception? innerException)
        : base($"The Ellipsis Drive session store is unavailable ('{operation}' failed or timed out); check the distributed cache (for example Redis) or raise EllipsisDriveSessionOptions.OperationTimeout.", innerException)
    {
        Operation = operation;
    }

    /// <summary>
    /// Gets the store operation that failed.
    /// </summary>
    public string Operation { get; }
}
