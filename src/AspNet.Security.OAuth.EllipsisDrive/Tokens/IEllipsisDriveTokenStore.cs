namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Keeps each user's <see cref="EllipsisDriveGrant"/> beyond any browser session, keyed by the Ellipsis Drive scheme and a
/// user key (by default the user's <c>NameIdentifier</c> claim; with ASP.NET Core Identity, the local user's id), so that the
/// token service can act for the user in background work, after the session ended and after a restart.
/// The <c>AspNet.Security.OAuth.EllipsisDrive.EntityFrameworkCore</c> package implements it on SQLite and PostgreSQL.
/// </summary>
/// <remarks>
/// Implementations must keep refresh tokens protected at rest and must make <see cref="SaveAsync"/> with an expected
/// refresh token a compare-and-swap, so that of two nodes refreshing one grant only one result is kept.
/// </remarks>
public interface IEllipsisDriveTokenStore
{
    /// <summary>
    /// Reads the grant of a user.
    /// </summary>
    /// <param name="scheme">The Ellipsis Drive authentication scheme.</param>
    /// <param name="userKey">The user key.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The grant, or <see langword="null"/> when the user has not connected Ellipsis Drive (or disconnected).</returns>
    Task<EllipsisDriveGrant?> GetAsync(string scheme, string userKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves the grant of a user.
    /// </summary>
    /// <param name="scheme">The Ellipsis Drive authentication scheme.</param>
    /// <param name="userKey">The user key.</param>
    /// <param name="grant">The grant to keep.</param>
    /// <param name="expectedRefreshToken">
    /// <see langword="null"/> to save unconditionally (a new sign-in); otherwise the refresh token the stored grant must
    /// still hold for the save to happen (a refresh replacing it).
    /// </param>
    /// <param name="cancellationToken">Stops the save.</param>
    /// <returns><see langword="true"/> when saved; <see langword="false"/> when the stored grant no longer held <paramref name="expectedRefreshToken"/> (or is gone).</returns>
    Task<bool> SaveAsync(string scheme, string userKey, EllipsisDriveGrant grant, string? expectedRefreshToken, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets the grant of a user (disconnect).
    /// </summary>
    /// <param name="scheme">The Ellipsis Drive authentication scheme.</param>
    /// <param name="userKey">The user key.</param>
    /// <param name="cancellationToken">Stops the removal.</param>
    /// <returns><see langword="true"/> when a grant was removed.</returns>
    Task<bool> RemoveAsync(string scheme, string userKey, CancellationToken cancellationToken = default);
}
