namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// What kind of failure a request to the Ellipsis Drive token endpoint met.
/// </summary>
public enum EllipsisDriveTokenErrorKind
{
    /// <summary>
    /// The grant (authorization code or refresh token) was rejected (<c>invalid_grant</c>): it is expired, used or revoked.
    /// Retrying with the same grant cannot succeed; the user must sign in again.
    /// </summary>
    InvalidGrant = 0,

    /// <summary>
    /// The client credentials were rejected (<c>invalid_client</c> or HTTP 401): check ClientId and ClientSecret.
    /// </summary>
    InvalidClient = 1,

    /// <summary>
    /// A temporary failure: HTTP 5xx, 408 or 429, a timeout, or a network error. Retrying later may succeed.
    /// </summary>
    Transient = 2,

    /// <summary>
    /// Any other error answer (4xx) from the token endpoint.
    /// </summary>
    Rejected = 3,

    /// <summary>
    /// A success status whose body could not be used: not JSON, or without an access token.
    /// </summary>
    InvalidResponse = 4,
}
