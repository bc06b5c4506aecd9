using System.Globalization;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// What a user granted the app at Ellipsis Drive, as a token store keeps it: the tokens, their expiry, and whether
/// Ellipsis Drive has since refused the refresh token (then the user must connect again).
/// </summary>
public sealed class EllipsisDriveGrant
{
    /// <summary>
    /// Gets the access token, or <see langword="null"/> when there is none (the grant must be refreshed or reconnected).
    /// </summary>
    public string? AccessToken { get; init; }

    /// <summary>
    /// Gets the refresh token, or <see langword="null"/> when Ellipsis Drive issued none.
    /// </summary>
    public string? RefreshToken { get; init; }

    /// <summary>
    /// Gets the token type, usually <c>Bearer</c>.
    /// </summary>
    public string? TokenType { get; init; }

    /// <summary>
    /// Gets when the access token expires, or <see langword="null"/> when Ellipsis Drive did not say.
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// Gets when the tokens were last refreshed, or <see langword="null"/> when they come straight from the sign-in.
    /// </summary>
    public DateTimeOffset? RefreshedAt { get; init; }

    /// <summary>
    /// Gets whether Ellipsis Drive refused the refresh token (<c>invalid_grant</c> or <c>invalid_client</c>): the tokens
    /// are gone and the user must connect Ellipsis Drive again.
    /// </summary>
    public bool ReconnectRequired { get; init; }

    /// <summary>
    /// Describes the grant without any token.
    /// </summary>
    /// <returns>The expiry and state of the grant.</returns>
    public override string ToString() =>
        "EllipsisDriveGrant { ExpiresAt = " + ExpiresAt?.ToString("o", CultureInfo.InvariantCulture) + ", ReconnectRequired = " + ReconnectRequired + " }";
}
