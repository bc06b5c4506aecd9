using System.Security.Claims;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// What every token event says about whose tokens they are: the user, their session or stored grant, and the
/// application's services.
/// </summary>
/// <remarks>
/// A refresh runs once for every caller waiting on it and may outlive the request that started it (or run with no
/// request at all, for a stored grant), so a token event carries no <c>HttpContext</c>.
/// </remarks>
public abstract class EllipsisDriveTokenEventContext
{
    /// <summary>
    /// Initializes a new <see cref="EllipsisDriveTokenEventContext"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="principal">The signed-in user, when known.</param>
    /// <param name="sessionId">The server-side session, or <see langword="null"/>.</param>
    /// <param name="userKey">The user key of a grant kept by an <see cref="IEllipsisDriveTokenStore"/>, or <see langword="null"/>.</param>
    protected EllipsisDriveTokenEventContext(IServiceProvider services, ClaimsPrincipal? principal, string? sessionId, string? userKey)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
        Principal = principal;
        SessionId = sessionId;
        UserKey = userKey;
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
    /// tokens live in the session or the cookie.
    /// </summary>
    public string? UserKey { get; }
}
