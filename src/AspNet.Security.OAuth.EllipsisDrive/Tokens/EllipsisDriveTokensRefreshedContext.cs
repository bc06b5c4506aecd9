using System.Security.Claims;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// A refresh that succeeded: the tokens the user's session or stored grant now holds. Raised once per refresh, however
/// many callers waited for it, so that a copy of the tokens kept elsewhere can follow a rotation.
/// </summary>
public sealed class EllipsisDriveTokensRefreshedContext
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
    {
        Services = services;
        Principal = principal;
        SessionId = sessionId;
        UserKey = userKey;
        Grant = grant;
    }

    /// <summary>
    /// Gets the application's (root) services.
    /// </summary>
    public IServiceProvider Services { get; }

    /// <summary>
    /// Gets the signed-in user, when known (not for a grant refreshed outside a request).
    /// </summary>
    public ClaimsPrincipal? Principal { get; }

    /// <summary>
    /// Gets the server-side session identifier, or <see langword="null"/>.
    /// </summary>
    public string? SessionId { get; }

    /// <summary>
    /// Gets the user key of the stored grant that was refreshed, or <see langword="null"/> when the tokens live in the session.
    /// </summary>
    public string? UserKey { get; }

    /// <summary>
    /// Gets the new tokens (the refresh token is the new one when Ellipsis Drive rotated it).
    /// </summary>
    public EllipsisDriveGrant Grant { get; }
}
