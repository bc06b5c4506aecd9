using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Gives a valid Ellipsis Drive access token for the signed-in user, refreshing it when needed: when it is missing,
/// expired or about to expire, or when the API rejected it. Concurrent callers for one session share one refresh.
/// </summary>
/// <remarks>
/// Failures: <see cref="EllipsisDriveSignInRequiredException"/> when the user must sign in again (the session has been
/// ended); <see cref="EllipsisDriveTokenException"/> with <see cref="EllipsisDriveTokenException.IsTransient"/> when the
/// token endpoint is temporarily unavailable (the session is kept; try again later).
/// </remarks>
public interface IEllipsisDriveTokenService
{
    /// <summary>
    /// Returns a valid access token for the user signed in on <paramref name="httpContext"/>.
    /// </summary>
    /// <param name="httpContext">The current request.</param>
    /// <param name="cancellationToken">Stops waiting; a refresh already started still completes and is saved.</param>
    /// <returns>The access token.</returns>
    Task<string> GetAccessTokenAsync(HttpContext httpContext, CancellationToken cancellationToken = default);

    /// <summary>
    /// Refreshes the access token of the user signed in on <paramref name="httpContext"/>, unless it was already replaced
    /// since <paramref name="rejectedAccessToken"/> was handed out. Call it when the API answered 401.
    /// </summary>
    /// <param name="httpContext">The current request.</param>
    /// <param name="rejectedAccessToken">The token the API rejected, or <see langword="null"/> to refresh unconditionally.</param>
    /// <param name="cancellationToken">Stops waiting; a refresh already started still completes and is saved.</param>
    /// <returns>The new access token.</returns>
    Task<string> RefreshAccessTokenAsync(HttpContext httpContext, string? rejectedAccessToken, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns the server-side session identifier of the user signed in on <paramref name="httpContext"/>, to call
    /// <see cref="GetAccessTokenForSessionAsync"/> later without a request (a background task, a Blazor circuit).
    /// <see langword="null"/> when nobody is signed in or sessions are not kept on the server (<c>AddEllipsisDriveSessions</c>).
    /// </summary>
    /// <param name="httpContext">The current request.</param>
    /// <returns>The session identifier, or <see langword="null"/>.</returns>
    Task<string?> GetSessionIdAsync(HttpContext httpContext);

    /// <summary>
    /// Returns a valid access token for a server-side session, without any request or response.
    /// </summary>
    /// <param name="sessionId">The session, from <see cref="GetSessionIdAsync"/>.</param>
    /// <param name="rejectedAccessToken">A token the API rejected, to refresh it; <see langword="null"/> to refresh only when it expires.</param>
    /// <param name="cancellationToken">Stops waiting; a refresh already started still completes and is saved.</param>
    /// <returns>The access token.</returns>
    Task<string> GetAccessTokenForSessionAsync(string sessionId, string? rejectedAccessToken, CancellationToken cancellationToken = default);
}
