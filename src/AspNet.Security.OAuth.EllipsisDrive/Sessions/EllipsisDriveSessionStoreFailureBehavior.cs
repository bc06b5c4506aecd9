namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// What a request gets when the server-side session store (for example Redis) cannot be reached.
/// </summary>
public enum EllipsisDriveSessionStoreFailureBehavior
{
    /// <summary>
    /// The request continues as if the user were signed out; the session entry is kept and works again when the store returns.
    /// </summary>
    SignedOut = 0,

    /// <summary>
    /// The request is answered with HTTP 503 (Service Unavailable) and a <c>Retry-After</c> header.
    /// </summary>
    ServiceUnavailable = 1,
}
