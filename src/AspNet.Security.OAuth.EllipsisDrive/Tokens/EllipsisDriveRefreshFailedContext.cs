using System.Security.Claims;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// A refresh that failed for good: the refresh token or the client was rejected. A stored grant
/// (<see cref="EllipsisDriveTokenEventContext.UserKey"/>) has been marked <see cref="EllipsisDriveGrant.ReconnectRequired"/>.
/// </summary>
public sealed class EllipsisDriveRefreshFailedContext : EllipsisDriveTokenEventContext
{
    /// <summary>
    /// Initializes a new <see cref="EllipsisDriveRefreshFailedContext"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="principal">The signed-in user, when known.</param>
    /// <param name="sessionId">The server-side session, or <see langword="null"/>.</param>
    /// <param name="userKey">The user key of a grant kept by an <see cref="IEllipsisDriveTokenStore"/>, or <see langword="null"/>.</param>
    /// <param name="exception">The failure of the token endpoint.</param>
    public EllipsisDriveRefreshFailedContext(
        IServiceProvider services, ClaimsPrincipal? principal, string? sessionId, string? userKey, EllipsisDriveTokenException exception)
        : base(services, principal, sessionId, userKey)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Exception = exception;
    }

    /// <summary>
    /// Gets the failure of the token endpoint (<see cref="EllipsisDriveTokenErrorKind.InvalidGrant"/> or
    /// <see cref="EllipsisDriveTokenErrorKind.InvalidClient"/>).
    /// </summary>
    public EllipsisDriveTokenException Exception { get; }

    /// <summary>
    /// Gets or sets whether the session is ended (the default, <see langword="true"/>): it is removed, so the next
    /// request is anonymous and an authorized page challenges again. When <see langword="false"/>, the user stays signed
    /// in and only the tokens are removed; token requests then fail with <see cref="EllipsisDriveSignInRequiredException"/>.
    /// A stored grant (<see cref="EllipsisDriveTokenEventContext.UserKey"/>) is kept, marked as needing to be connected
    /// again, whatever this says.
    /// </summary>
    public bool SignOut { get; set; } = true;
}
