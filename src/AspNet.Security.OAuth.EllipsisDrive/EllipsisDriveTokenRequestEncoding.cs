namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// How the body of a request to the Ellipsis Drive token endpoint is encoded.
/// </summary>
public enum EllipsisDriveTokenRequestEncoding
{
    /// <summary>
    /// A JSON object (<c>application/json</c>), as every official Ellipsis Drive client sends (the default).
    /// </summary>
    Json = 0,

    /// <summary>
    /// A form (<c>application/x-www-form-urlencoded</c>), as RFC 6749 specifies.
    /// </summary>
    FormUrlEncoded = 1,
}
