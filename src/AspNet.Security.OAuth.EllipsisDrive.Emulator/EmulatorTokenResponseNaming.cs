namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

/// <summary>
/// The naming of the keys in the token endpoint's JSON response. Ellipsis Drive does not document it.
/// </summary>
public enum EmulatorTokenResponseNaming
{
    /// <summary>RFC 6749 names: <c>access_token</c>, <c>token_type</c>, <c>expires_in</c>, <c>refresh_token</c>.</summary>
    SnakeCase,

    /// <summary>The camelCase used by the rest of the Ellipsis Drive API: <c>accessToken</c>, <c>tokenType</c>, <c>expiresIn</c>, <c>refreshToken</c>.</summary>
    CamelCase,
}
