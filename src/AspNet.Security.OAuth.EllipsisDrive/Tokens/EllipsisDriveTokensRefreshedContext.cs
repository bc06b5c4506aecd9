using System.Security.Claims;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// A refresh that succeeded: the tokens the user's session or stored grant now holds. Raised once per refresh, however
/// many callers waited for it, so that a copy of the tokens kept elsewhere can follow a rotation.
/// </summary>
public sealed class EllipsisDriveTokensRefreshedContext : EllipsisDriveTokenEventContext
{
    /// <summary>
    /// Initializes a new <see cref="EllipsisDriveTokensRefreshedContext"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="principal">The signed-in user, when known.</param>
    /// <param name="sessionId">The server-side session, or <see langword="null"/>.</param>
    /// <param name="userKey">The user key of a stored grant, or <see langword="null"/>.</param>
    /// <param name="grant">The new tokens.</param>
    public EllipsisDriveTokensRefreshedContext(
        IServiceProvider services, ClaimsPrincipal? principal, string? sessionId, string? userKey, EllipsisDriveGrant grant)
        : base(services, principal, sessionId, userKey)
    {
        ArgumentNullException.ThrowIfNull(grant);
        Grant = grant;
    }

    /// <summary>
    /// Gets the new tokens (the refresh token is the new one when Ellipsis Drive rotated it).
    /// </summary>
    public EllipsisDriveGrant Grant { get; }
}
