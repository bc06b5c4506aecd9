using System.Security.Claims;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// A refresh that failed for good: the refresh token or the client was rejected.
/// </summary>
/// <remarks>
/// The refresh runs once for every caller waiting on it and may outlive the request that started it, so the context
/// carries no <c>HttpContext</c>: only what identifies the user and the application's services.
/// </remarks>
public sealed class EllipsisDriveRefreshFailedContext
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
    {
        Services = services;
        Principal = principal;
        SessionId = sessionId;
        UserKey = userKey;
        Exception = exception;
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
    /// Gets the server-side session identifier, or <see langword="null"/> in cookie mode and for stored grants.
    /// </summary>
    public string? SessionId { get; }

    /// <summary>
    /// Gets the user key of the grant kept by an <see cref="IEllipsisDriveTokenStore"/>, or <see langword="null"/> when the
    /// tokens live in the session. The store has marked that grant <see cref="EllipsisDriveGrant.ReconnectRequired"/>.
    /// </summary>
    public string? UserKey { get; }

    /// <summary>
    /// Gets the failure of the token endpoint (<see cref="EllipsisDriveTokenErrorKind.InvalidGrant"/> or
    /// <see cref="EllipsisDriveTokenErrorKind.InvalidClient"/>).
    /// </summary>
    public EllipsisDriveTokenException Exception { get; }

    /// <summary>
    /// Gets or sets whether the session is ended (the default, <see langword="true"/>): it is removed, so the next
    /// request is anonymous and an authorized page challenges again. When <see langword="false"/>, the user stays signed
    /// in and only the tokens are removed; token requests then fail with <see cref="EllipsisDriveSignInRequiredException"/>.
    /// A stored grant (<see cref="UserKey"/>) is kept, marked as needing to be connected again, whatever this says.
    /// </summary>
    public bool SignOut { get; set; } = true;
}
