using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The Ellipsis Drive access token of the user of a Blazor component's scope (an interactive server circuit, or the
/// request that prerenders it), found from the scope's <see cref="AuthenticationStateProvider"/>, never from
/// <c>IHttpContextAccessor</c>. Register it with <c>AddEllipsisDriveCircuits()</c>; the <see cref="HttpClient"/> handler
/// and <see cref="EllipsisDriveApiClient"/> use it by themselves inside a circuit.
/// </summary>
/// <remarks>
/// The tokens stay on the server: with a token store (<see cref="IEllipsisDriveTokenStore"/>) the user's stored grant,
/// keyed by <see cref="EllipsisDriveTokenOptions.UserKeyClaimType"/>; otherwise the user's server-side session
/// (<c>AddEllipsisDriveSessions</c>), found through a protected reference that the session's principal carries in
/// memory on the server. Refreshes save where the tokens live, so a page reload after a refresh in the circuit sees it.
/// Nothing identifying the session is sent to the browser. Keep the token itself on the server too: never render it,
/// log it or put it in persisted component state.
/// </remarks>
public sealed class EllipsisDriveCircuitTokens
{
    private readonly AuthenticationStateProvider _authenticationState;
    private readonly IEllipsisDriveTokenService _tokens;
    private readonly IOptions<EllipsisDriveTokenOptions> _options;
    private readonly IDataProtector? _sessionReferences;
    private readonly bool _hasGrantStore;

    internal EllipsisDriveCircuitTokens(
        AuthenticationStateProvider authenticationState,
        IEllipsisDriveTokenService tokens,
        IOptions<EllipsisDriveTokenOptions> options,
        IDataProtectionProvider dataProtection,
        bool hasSessions,
        bool hasGrantStore)
    {
        _authenticationState = authenticationState;
        _tokens = tokens;
        _options = options;
        _sessionReferences = hasSessions ? EllipsisDriveSessionReference.CreateProtector(dataProtection) : null;
        _hasGrantStore = hasGrantStore;
    }

    /// <summary>
    /// Returns a valid access token for the user of this scope, refreshing it when it is missing, expired or about to expire.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; a refresh already started still completes and is saved.</param>
    /// <returns>The access token.</returns>
    /// <exception cref="EllipsisDriveSignInRequiredException">Nobody is signed in here, or the session or grant has ended: the user must sign in again.</exception>
    /// <exception cref="EllipsisDriveTokenException">The token endpoint failed; <see cref="EllipsisDriveTokenException.IsTransient"/> says whether to try again later.</exception>
    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken = default) =>
        GetAsync(rejectedAccessToken: null, cancellationToken);

    /// <summary>
    /// Refreshes the access token of the user of this scope, unless it was already replaced since
    /// <paramref name="rejectedAccessToken"/> was handed out: call it when the API answered 401. With
    /// <see langword="null"/>, refreshes the current token now.
    /// </summary>
    /// <param name="rejectedAccessToken">The token the API rejected, or <see langword="null"/> to refresh the current one.</param>
    /// <param name="cancellationToken">Stops waiting; a refresh already started still completes and is saved.</param>
    /// <returns>The new access token.</returns>
    /// <exception cref="EllipsisDriveSignInRequiredException">Nobody is signed in here, or Ellipsis Drive refused the refresh token: the user must sign in again.</exception>
    /// <exception cref="EllipsisDriveTokenException">The token endpoint failed; <see cref="EllipsisDriveTokenException.IsTransient"/> says whether to try again later.</exception>
    public async Task<string> RefreshAccessTokenAsync(string? rejectedAccessToken = null, CancellationToken cancellationToken = default) =>
        await GetAsync(rejectedAccessToken ?? await GetAsync(null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<string> GetAsync(string? rejectedAccessToken, CancellationToken cancellationToken)
    {
        var user = (await _authenticationState.GetAuthenticationStateAsync().ConfigureAwait(false)).User;
        if (user.Identity?.IsAuthenticated != true)
        {
            throw new EllipsisDriveSignInRequiredException(
                "Nobody is signed in in this Blazor circuit (its authentication state has no authenticated user); sign in with Ellipsis Drive first.");
        }

        var sessionKey = _sessionReferences is null ? null : EllipsisDriveSessionReference.Read(user, _sessionReferences);
        if (_hasGrantStore && UserKeyOf(user) is { } userKey)
        {
            try
            {
                return await _tokens.GetAccessTokenForUserAsync(userKey, rejectedAccessToken, cancellationToken).ConfigureAwait(false);
            }
            catch (EllipsisDriveSignInRequiredException) when (sessionKey is not null && !_options.Value.StoreGrantsAtSignIn)
            {
                // The app links grants itself (ConnectAsync) and this user has none: the sign-in's tokens are in the session.
            }
        }

        if (sessionKey is not null)
        {
            return await _tokens.GetAccessTokenForSessionAsync(sessionKey, rejectedAccessToken, cancellationToken).ConfigureAwait(false);
        }

        throw _sessionReferences is null && !_hasGrantStore
            ? new InvalidOperationException(EllipsisDriveCircuitValidation.CookieModeMessage)
            : new EllipsisDriveSignInRequiredException(
                "The user of this Blazor circuit has no server-side Ellipsis Drive session" + (_hasGrantStore ? $" and no '{_options.Value.UserKeyClaimType}' claim to find a stored grant by" : string.Empty) +
                " (signed in with another cookie scheme than EllipsisDriveSessionOptions.CookieScheme, or before sessions were kept on the server); the user must sign in with Ellipsis Drive again.");
    }

    private string? UserKeyOf(ClaimsPrincipal user) =>
        user.FindFirst(_options.Value.UserKeyClaimType)?.Value is { Length: > 0 } key ? key : null;
}
