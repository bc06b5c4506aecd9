using Microsoft.AspNetCore.Authentication;
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
    /// <see cref="GetAccessTokenForSessionAsync"/> later without a request (a background task; Blazor circuits need no
    /// session id: <c>AddEllipsisDriveCircuits</c>). Keep it on the server: it is a bearer-equivalent secret.
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

    /// <summary>
    /// Returns a valid access token for a user whose grant an <see cref="IEllipsisDriveTokenStore"/> keeps, without any
    /// request: in a background job, after the user's session ended, after a restart. Refreshes it when needed, once
    /// however many callers ask, across the nodes of a farm when a refresh lock is registered.
    /// </summary>
    /// <param name="userKey">The user key (<see cref="EllipsisDriveTokenOptions.UserKeyClaimType"/> of the user, or the key given to <see cref="ConnectAsync"/>).</param>
    /// <param name="rejectedAccessToken">A token the API rejected, to refresh it; <see langword="null"/> to refresh only when it expires.</param>
    /// <param name="cancellationToken">Stops waiting; a refresh already started still completes and is saved.</param>
    /// <returns>The access token.</returns>
    /// <exception cref="EllipsisDriveSignInRequiredException">The user has not connected Ellipsis Drive, disconnected, or must connect again.</exception>
    Task<string> GetAccessTokenForUserAsync(string userKey, string? rejectedAccessToken = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves the tokens of an Ellipsis Drive sign-in as the grant of <paramref name="userKey"/> in the registered
    /// <see cref="IEllipsisDriveTokenStore"/>, replacing any earlier grant of that user. Use it to link Ellipsis Drive to a
    /// local account: with ASP.NET Core Identity, pass the local user's id and <c>ExternalLoginInfo.AuthenticationProperties</c>.
    /// </summary>
    /// <param name="userKey">The user key to keep the grant under.</param>
    /// <param name="properties">The properties of the sign-in, holding the tokens that <c>SaveTokens</c> saved.</param>
    /// <param name="cancellationToken">Stops the save.</param>
    /// <returns>A task that completes when the grant is saved.</returns>
    Task ConnectAsync(string userKey, AuthenticationProperties properties, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets the grant of <paramref name="userKey"/> (Ellipsis Drive has no revocation endpoint: the tokens are deleted
    /// here and no longer used).
    /// </summary>
    /// <param name="userKey">The user key.</param>
    /// <param name="cancellationToken">Stops the removal.</param>
    /// <returns><see langword="true"/> when a grant was removed.</returns>
    Task<bool> DisconnectAsync(string userKey, CancellationToken cancellationToken = default);
}
