using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// A refresh that failed for good: the refresh token or the client was rejected.
/// </summary>
public sealed class EllipsisDriveRefreshFailedContext
{
    /// <summary>
    /// Initializes a new <see cref="EllipsisDriveRefreshFailedContext"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="httpContext">The request that started the refresh, or <see langword="null"/> outside a request.</param>
    /// <param name="principal">The signed-in user, when known.</param>
    /// <param name="sessionId">The server-side session, or <see langword="null"/> in cookie mode.</param>
    /// <param name="exception">The failure of the token endpoint.</param>
    public EllipsisDriveRefreshFailedContext(
        IServiceProvider services, HttpContext? httpContext, ClaimsPrincipal? principal, string? sessionId, EllipsisDriveTokenException exception)
    {
        Services = services;
        HttpContext = httpContext;
        Principal = principal;
        SessionId = sessionId;
        Exception = exception;
    }

    /// <summary>
    /// Gets the application's services.
    /// </summary>
    public IServiceProvider Services { get; }

    /// <summary>
    /// Gets the request that started the refresh, or <see langword="null"/> when it ran outside a request.
    /// </summary>
    public HttpContext? HttpContext { get; }

    /// <summary>
    /// Gets the signed-in user, when known.
    /// </summary>
    public ClaimsPrincipal? Principal { get; }

    /// <summary>
    /// Gets the server-side session identifier, or <see langword="null"/> in cookie mode.
    /// </summary>
    public string? SessionId { get; }

    /// <summary>
    /// Gets the failure of the token endpoint (<see cref="EllipsisDriveTokenErrorKind.InvalidGrant"/> or
    /// <see cref="EllipsisDriveTokenErrorKind.InvalidClient"/>).
    /// </summary>
    public EllipsisDriveTokenException Exception { get; }

    /// <summary>
    /// Gets or sets whether the user is signed out (the default, <see langword="true"/>): the session is removed, so the next
    /// request is anonymous and an authorized page challenges again. When <see langword="false"/>, the user stays signed
    /// in and only the tokens are removed; token requests then fail with <see cref="EllipsisDriveSignInRequiredException"/>.
    /// </summary>
    public bool SignOut { get; set; } = true;
}
