namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// How the client authenticates itself at the Ellipsis Drive token endpoint.
/// </summary>
public enum EllipsisDriveClientAuthenticationMethod
{
    /// <summary>
    /// <c>client_id</c> and <c>client_secret</c> are sent in the request body (the default).
    /// </summary>
    RequestBody = 0,

    /// <summary>
    /// <c>client_id</c> and <c>client_secret</c> are sent with HTTP Basic authentication (RFC 6749 section 2.3.1).
    /// </summary>
    BasicAuthentication = 1,
}
