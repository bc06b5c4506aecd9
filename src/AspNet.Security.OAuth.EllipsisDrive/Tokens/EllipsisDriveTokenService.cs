using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Decides when to refresh, refreshes once at a time per refresh token (single flight in the process, a lock across
/// nodes when one is registered), and saves the result where the tokens live: the user's grant in the
/// <see cref="IEllipsisDriveTokenStore"/> when one is registered and holds it, else the server-side session when there is
/// one, else the auth cookie of each waiting request whose response has not started.
/// </summary>
internal sealed partial class EllipsisDriveTokenService : IEllipsisDriveTokenService
{
    private static readonly object RequestTokensKey = new();
    private static readonly object RequestGrantKey = new();

    // A chain of successors longer than this means something keeps rotating under us: refresh from where we are.
    private const int MaxSuccessorHops = 8;

    private readonly SingleFlight<RefreshOutcome> _flights = new();
    private readonly IServiceProvider _services;
    private readonly IOptions<EllipsisDriveTokenOptions> _options;
    private readonly IOptionsMonitor<EllipsisDriveOptions> _handlerOptions;
    private readonly IAuthenticationSchemeProvider _schemes;
    private readonly TimeProvider _timeProvider;
    private readonly RefreshTokenSuccessors _successors;
    private readonly IEllipsisDriveRefreshLock _lock;
    private readonly EllipsisDriveMetrics _metrics;
    private readonly ILogger _logger;
    private readonly EllipsisDriveTicketStore? _sessions;
    private readonly IEllipsisDriveTokenStore? _grants;

    public EllipsisDriveTokenService(
        IServiceProvider services,
        IOptions<EllipsisDriveTokenOptions> options,
        IOptionsMonitor<EllipsisDriveOptions> handlerOptions,
        IAuthenticationSchemeProvider schemes,
        TimeProvider timeProvider,
        RefreshTokenSuccessors successors,
        IEllipsisDriveRefreshLock refreshLock,
        EllipsisDriveMetrics metrics,
        ILogger<EllipsisDriveTokenService> logger,
        EllipsisDriveTicketStore? sessions = null,
        IEllipsisDriveTokenStore? grants = null)
    {
        _services = services;
        _options = options;
        _handlerOptions = handlerOptions;
        _schemes = schemes;
        _timeProvider = timeProvider;
        _successors = successors;
        _lock = refreshLock;
        _metrics = metrics;
        _logger = logger;
        _sessions = sessions;
        _grants = grants;
    }

    private string Scheme => _options.Value.Scheme;

    public Task<string> GetAccessTokenAsync(HttpContext httpContext, CancellationToken cancellationToken = default) =>
        GetAsync(httpContext, force: false, rejectedAccessToken: null, cancellationToken);

    public Task<string> RefreshAccessTokenAsync(HttpContext httpContext, string? rejectedAccessToken, CancellationToken cancellationToken = default) =>
        GetAsync(httpContext, force: true, rejectedAccessToken, cancellationToken);

    public async Task<string?> GetSessionIdAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var result = await AuthenticateAsync(httpContext, await GetCookieSchemeAsync().ConfigureAwait(false)).ConfigureAwait(false);
        return result.Succeeded && result.Properties!.Items.TryGetValue(EllipsisDriveTicketStore.SessionKeyItem, out var key) ? key : null;
    }

    public async Task<string> GetAccessTokenForSessionAsync(string sessionId, string? rejectedAccessToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var store = _sessions ?? throw new InvalidOperationException(
            "Tokens can only be read without a request when sessions are kept on the server: call services.AddEllipsisDriveSessions().");
        var ticket = await store.ReadAsync(sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new EllipsisDriveSignInRequiredException("The session has ended (signed out or expired); the user must sign in again.");

        var snapshot = TokenSnapshot.From(ticket.Properties);
        if (rejectedAccessToken is null ? !NeedsRefresh(snapshot) : IsUsable(snapshot, rejectedAccessToken))
        {
            return snapshot.AccessToken!;
        }

        var outcome = await RefreshOrKeepAsync(
            new RefreshRequest(snapshot, new SessionTokenHome(store, sessionId), rejectedAccessToken, ticket.Principal), cancellationToken).ConfigureAwait(false);
        return outcome.Tokens?.AccessToken ?? throw SignInRequired(outcome);
    }

    public async Task<string> GetAccessTokenForUserAsync(string userKey, string? rejectedAccessToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userKey);
        var tokens = await GetForUserAsync(
            RequireGrants(), userKey, grant: null, principal: null, force: rejectedAccessToken is not null, rejectedAccessToken, cancellationToken).ConfigureAwait(false);
        return tokens.AccessToken!;
    }

    public async Task ConnectAsync(string userKey, AuthenticationProperties properties, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userKey);
        ArgumentNullException.ThrowIfNull(properties);
        var grants = RequireGrants();
        var tokens = TokenSnapshot.From(properties);
        if (tokens.AccessToken is null && tokens.RefreshToken is null)
        {
            throw new ArgumentException(
                "These authentication properties hold no Ellipsis Drive tokens: they must come from an Ellipsis Drive sign-in with EllipsisDriveOptions.SaveTokens on.",
                nameof(properties));
        }

        await SaveGrantAsync(grants, userKey, tokens, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> DisconnectAsync(string userKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userKey);
        return RequireGrants().RemoveAsync(Scheme, userKey, cancellationToken);
    }

    /// <summary>
    /// Called by the handler once it has built the ticket of an Ellipsis Drive sign-in: with a token store and
    /// <see cref="EllipsisDriveTokenOptions.StoreGrantsAtSignIn"/>, the grant goes into the store and leaves the ticket, so the
    /// store holds the only copy.
    /// </summary>
    internal async Task KeepGrantAtSignInAsync(string scheme, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        if (_grants is null || !_options.Value.StoreGrantsAtSignIn || !string.Equals(scheme, Scheme, StringComparison.Ordinal))
        {
            return;
        }

        if (UserKeyOf(ticket.Principal) is not { } userKey)
        {
            LogNoUserKey(_logger, _options.Value.UserKeyClaimType);
            return;
        }

        var tokens = TokenSnapshot.From(ticket.Properties);
        if (tokens.AccessToken is null && tokens.RefreshToken is null)
        {
            return;
        }

        await SaveGrantAsync(_grants, userKey, tokens, cancellationToken).ConfigureAwait(false);
        TokenSnapshot.Clear(ticket.Properties);
    }

    // A new grant (a sign-in): replaces whatever the store held for the user, a grant marked for reconnection included.
    private async Task SaveGrantAsync(IEllipsisDriveTokenStore grants, string userKey, TokenSnapshot tokens, CancellationToken cancellationToken)
    {
        await grants.SaveAsync(Scheme, userKey, tokens.ToGrant(), expectedRefreshToken: null, cancellationToken).ConfigureAwait(false);
        LogConnected(_logger);
    }

    private async Task<TokenSnapshot> GetForUserAsync(
        IEllipsisDriveTokenStore grants, string userKey, EllipsisDriveGrant? grant, ClaimsPrincipal? principal, bool force, string? rejectedAccessToken, CancellationToken cancellationToken)
    {
        grant ??= await grants.GetAsync(Scheme, userKey, cancellationToken).ConfigureAwait(false);
        if (grant is null)
        {
            throw new EllipsisDriveSignInRequiredException(
                "No Ellipsis Drive grant is stored for this user (never connected, or disconnected); the user must sign in with Ellipsis Drive.");
        }

        if (grant.ReconnectRequired)
        {
            throw new EllipsisDriveSignInRequiredException(
                "Ellipsis Drive refused this user's refresh token earlier; the user must connect Ellipsis Drive again.");
        }

        var snapshot = TokenSnapshot.From(grant);
        if (!force ? !NeedsRefresh(snapshot) : rejectedAccessToken is not null && IsUsable(snapshot, rejectedAccessToken))
        {
            return snapshot;
        }

        var outcome = await RefreshOrKeepAsync(
            new RefreshRequest(snapshot, new GrantTokenHome(grants, Scheme, userKey), force ? rejectedAccessToken ?? snapshot.AccessToken : null, principal), cancellationToken)
            .ConfigureAwait(false);
        return outcome.Tokens ?? throw SignInRequired(outcome);
    }

    private IEllipsisDriveTokenStore RequireGrants() => _grants ?? throw new InvalidOperationException(
        "No IEllipsisDriveTokenStore is registered, so no user's grant is kept beyond the session: call services.AddEllipsisDriveEntityFrameworkCoreStore() " +
        "(package AspNet.Security.OAuth.EllipsisDrive.EntityFrameworkCore) or register an IEllipsisDriveTokenStore.");

    private string? UserKeyOf(ClaimsPrincipal? principal) =>
        principal?.FindFirst(_options.Value.UserKeyClaimType)?.Value is { Length: > 0 } key ? key : null;

    private async Task<string> GetAsync(HttpContext httpContext, bool force, string? rejectedAccessToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var cookieScheme = await GetCookieSchemeAsync().ConfigureAwait(false);
        var result = await AuthenticateAsync(httpContext, cookieScheme).ConfigureAwait(false);

        // A stored grant is the one copy of the user's tokens, whichever cookie identifies the user (with ASP.NET Core
        // Identity the application cookie, not the cookie the Ellipsis Drive sign-in went to).
        var user = result.Succeeded ? result.Principal : httpContext.User;
        if (_grants is not null && UserKeyOf(user) is { } userKey)
        {
            var grant = httpContext.Items[RequestGrantKey] as EllipsisDriveGrant
                ?? await _grants.GetAsync(Scheme, userKey, cancellationToken).ConfigureAwait(false);
            if (grant is not null || !(result.Succeeded && HasTokens(result.Properties!)))
            {
                var granted = await GetForUserAsync(_grants, userKey, grant, user, force, rejectedAccessToken, cancellationToken).ConfigureAwait(false);

                // Every API call of this request asks again: the grant read (or refreshed) once serves them all.
                httpContext.Items[RequestGrantKey] = granted.ToGrant();
                return granted.AccessToken!;
            }
        }

        if (!result.Succeeded)
        {
            throw new EllipsisDriveSignInRequiredException(
                $"Nobody is signed in with the '{cookieScheme}' scheme on this request; challenge the '{_options.Value.Scheme}' scheme to sign in.");
        }

        var properties = result.Properties!;
        properties.Items.TryGetValue(EllipsisDriveTicketStore.SessionKeyItem, out var sessionKey);
        var snapshot = httpContext.Items[RequestTokensKey] as TokenSnapshot ?? TokenSnapshot.From(properties);
        if (snapshot.AccessToken is null && snapshot.RefreshToken is null)
        {
            throw new EllipsisDriveSignInRequiredException(
                "The sign-in saved no Ellipsis Drive tokens (SaveTokens is off, or the session ended); the user must sign in again.");
        }

        if (!force ? !NeedsRefresh(snapshot) : rejectedAccessToken is not null && IsUsable(snapshot, rejectedAccessToken))
        {
            return snapshot.AccessToken!;
        }

        var outcome = await RefreshOrKeepAsync(
            new RefreshRequest(
                snapshot,
                sessionKey is not null && _sessions is { } store ? new SessionTokenHome(store, sessionKey) : CookieTokenHome.Instance,
                force ? rejectedAccessToken ?? snapshot.AccessToken : null,
                result.Principal),
            cancellationToken)
            .ConfigureAwait(false);

        if (outcome.Tokens is { } tokens)
        {
            httpContext.Items[RequestTokensKey] = tokens;
            if (sessionKey is null && tokens != snapshot)
            {
                await ReissueCookieAsync(httpContext, cookieScheme, result, tokens.ApplyTo).ConfigureAwait(false);
            }

            return tokens.AccessToken!;
        }

        if (sessionKey is null)
        {
            if (outcome.SignOut)
            {
                await SignOutCookieAsync(httpContext, cookieScheme).ConfigureAwait(false);
            }
            else
            {
                await ReissueCookieAsync(httpContext, cookieScheme, result, TokenSnapshot.Clear).ConfigureAwait(false);
            }
        }

        throw SignInRequired(outcome);
    }

    // A proactive refresh (the access token still valid, only inside RefreshBeforeExpiry) that fails for a passing reason
    // leaves the caller the token it has: it still serves the request, and the next call tries again.
    private async Task<RefreshOutcome> RefreshOrKeepAsync(RefreshRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await RefreshSharedAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (EllipsisDriveTokenException exception) when (exception.IsTransient
            && request.RejectedAccessToken is null
            && request.Snapshot is { AccessToken: not null, ExpiresAt: { } expiresAt }
            && _timeProvider.GetUtcNow() < expiresAt)
        {
            LogKeptValidToken(_logger);
            return RefreshOutcome.Success(request.Snapshot);
        }
    }

    private async Task<RefreshOutcome> RefreshSharedAsync(RefreshRequest request, CancellationToken cancellationToken)
    {
        if (request.Snapshot.RefreshToken is not { } refreshToken)
        {
            throw new EllipsisDriveSignInRequiredException(
                "The access token expired and Ellipsis Drive gave no refresh token to renew it; the user must sign in again.");
        }

        var hash = RefreshTokenSuccessors.Hash(refreshToken);
        // The run does not flow this caller's execution context: its trace is linked to the caller's explicitly.
        var caller = Activity.Current?.Context ?? default;
        var (flight, joined) = _flights.Join(hash, () => RunFlightAsync(request, hash, caller));
        if (joined)
        {
            _metrics.JoinedSingleFlight();
            LogJoined(_logger);
        }

        return await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<RefreshOutcome> RunFlightAsync(RefreshRequest request, string hash, ActivityContext caller)
    {
        using var activity = EllipsisDriveTelemetry.ActivitySource.StartActivity(EllipsisDriveTelemetry.RefreshActivityName, ActivityKind.Internal, caller);
        activity?.SetTag("ellipsisdrive.session_mode", request.Home.Mode);
        using var timeout = new CancellationTokenSource(_options.Value.RefreshTimeout, _timeProvider);
        try
        {
            var outcome = await RefreshAsync(request, hash, activity, timeout.Token).ConfigureAwait(false);
            activity?.SetTag("ellipsisdrive.refresh.outcome", outcome.Tokens is not null ? "success" : "session_ended");
            return outcome;
        }
        catch (OperationCanceledException exception) when (timeout.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "timeout");
            _metrics.RefreshFailed(EllipsisDriveTokenErrorKind.Transient);
            throw new EllipsisDriveTokenException(
                EllipsisDriveTokenErrorKind.Transient,
                "The access token could not be refreshed within EllipsisDriveTokenOptions.RefreshTimeout; the session is kept, try again later.",
                innerException: exception);
        }
        catch (EllipsisDriveTokenException exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, EllipsisDriveMetrics.ToTag(exception.Kind));
            throw;
        }
    }

    // The token-endpoint call, traced as its own client activity whose status says how it failed.
    private async Task<EllipsisDriveTokenSet> CallTokenEndpointAsync(string refreshToken, CancellationToken cancellationToken)
    {
        using var activity = EllipsisDriveTelemetry.StartTokenEndpointActivity("refresh_token");
        try
        {
            return await EllipsisDriveTokenClient.RefreshAsync(_handlerOptions.Get(_options.Value.Scheme), refreshToken, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (EllipsisDriveTokenException exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, EllipsisDriveMetrics.ToTag(exception.Kind));
            throw;
        }
        catch (OperationCanceledException)
        {
            // Only the refresh's own timeout cancels this call.
            activity?.SetStatus(ActivityStatusCode.Error, "timeout");
            throw;
        }
    }

    private async Task<RefreshOutcome> RefreshAsync(RefreshRequest request, string hash, Activity? activity, CancellationToken cancellationToken)
    {
        var (found, current, currentHash) = await CatchUpAsync(request, hash, cancellationToken).ConfigureAwait(false);
        if (found is not null)
        {
            return found;
        }

        if (string.Equals(currentHash, hash, StringComparison.Ordinal))
        {
            var handle = await AcquireLockAsync(hash, cancellationToken).ConfigureAwait(false);
            await using (handle.ConfigureAwait(false))
            {
                // Look again after every lock, waited for or not: another node may have refreshed and released the lock
                // between our look above and our taking it, and its refresh token is spent.
                (found, current, currentHash) = await CatchUpAsync(request, hash, cancellationToken).ConfigureAwait(false);
                if (found is not null)
                {
                    return found;
                }

                if (string.Equals(currentHash, hash, StringComparison.Ordinal))
                {
                    return await RedeemAsync(request, hash, activity, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        // Replaced by a refresh token that is itself due: spend it in its own single flight, which every request on this
        // node that holds it, or follows a spent one to it, joins; so it is spent once here even with no lock registered.
        return await RefreshSharedAsync(current, cancellationToken).ConfigureAwait(false);
    }

    private async Task<EllipsisDriveRefreshLockHandle> AcquireLockAsync(string hash, CancellationToken cancellationToken)
    {
        try
        {
            return await _lock.AcquireAsync(hash, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The lock's store is down, and with it most likely the shared session store: refusing to refresh would fail
            // every user, so refresh without it (a rotating server may then reject a second node's refresh as a replay).
            _metrics.StoreError("refresh-lock");
            LogRefreshLockUnavailable(_logger, _lock.GetType().Name, exception.GetType().Name, exception);
            return EllipsisDriveRefreshLockHandle.None;
        }
    }

    // Holding the lock of this refresh token: spend it, save what came back where the tokens live, tell the app.
    private async Task<RefreshOutcome> RedeemAsync(RefreshRequest request, string hash, Activity? activity, CancellationToken cancellationToken)
    {
        var refreshToken = request.Snapshot.RefreshToken!;
        EllipsisDriveTokenSet answer;
        try
        {
            answer = await CallTokenEndpointAsync(refreshToken, cancellationToken).ConfigureAwait(false);
        }
        catch (EllipsisDriveTokenException exception)
        {
            _metrics.RefreshFailed(exception.Kind);
            LogRefreshFailed(_logger, EllipsisDriveMetrics.ToTag(exception.Kind), exception.StatusCode);
            if (exception.Kind is not (EllipsisDriveTokenErrorKind.InvalidGrant or EllipsisDriveTokenErrorKind.InvalidClient))
            {
                throw; // Transient or unexpected: the session is kept, the callers get the typed exception.
            }

            // Another request or node may have spent this refresh token a moment ago and saved its result.
            if ((await CatchUpAsync(request, hash, cancellationToken).ConfigureAwait(false)).Found is { } refreshedMeanwhile)
            {
                return refreshedMeanwhile;
            }

            // Refused for good: the refresh failed, and the session ends.
            activity?.SetStatus(ActivityStatusCode.Error, EllipsisDriveMetrics.ToTag(exception.Kind));
            return await EndSessionAsync(request, hash, exception, cancellationToken).ConfigureAwait(false);
        }

        var now = _timeProvider.GetUtcNow();
        var rotated = answer.RefreshToken is not null && answer.RefreshToken != refreshToken;
        var tokens = new TokenSnapshot(
            answer.AccessToken,
            answer.RefreshToken ?? refreshToken, // No rotation: the old refresh token stays valid.
            answer.TokenType ?? request.Snapshot.TokenType,
            answer.ExpiresIn is { } expiresIn ? now.Add(expiresIn) : null,
            RefreshedAt: now);
        _metrics.Refreshed();
        activity?.SetTag("ellipsisdrive.refresh.rotated", rotated);
        LogRefreshed(_logger, rotated, tokens.ExpiresAt);

        await _successors.WriteAsync(hash, tokens).ConfigureAwait(false);

        if (!await request.Home.SaveAsync(tokens, refreshToken).ConfigureAwait(false))
        {
            return RefreshOutcome.Ended(null, signOut: true);
        }

        await _options.Value.Events.TokensRefreshed(
            new EllipsisDriveTokensRefreshedContext(_services, request.Principal, request.Home.SessionId, request.Home.UserKey, tokens.ToGrant())).ConfigureAwait(false);
        return RefreshOutcome.Success(tokens);
    }

    private async Task<RefreshOutcome> EndSessionAsync(RefreshRequest request, string hash, EllipsisDriveTokenException exception, CancellationToken cancellationToken)
    {
        var context = new EllipsisDriveRefreshFailedContext(_services, request.Principal, request.Home.SessionId, request.Home.UserKey, exception);
        await _options.Value.Events.RefreshFailed(context).ConfigureAwait(false);
        LogSessionEnded(_logger, EllipsisDriveMetrics.ToTag(exception.Kind), context.SignOut);

        // Requests still carrying this refresh token learn it is dead without calling the token endpoint again.
        await _successors.WriteRejectedAsync(hash, exception.Kind).ConfigureAwait(false);
        await request.Home.EndAsync(request.Snapshot.RefreshToken!, context.SignOut, cancellationToken).ConfigureAwait(false);
        return RefreshOutcome.Ended(exception, request.Home.CanSignOut && context.SignOut);
    }

    /// <summary>
    /// Follows what replaced the request's refresh token (in its store, or in the successor cache) until it finds tokens
    /// that can be used as they are, a sign that the session ended, or the newest refresh token (then still to be spent).
    /// </summary>
    private async Task<(RefreshOutcome? Found, RefreshRequest Request, string Hash)> CatchUpAsync(RefreshRequest request, string hash, CancellationToken cancellationToken)
    {
        for (var hops = 0; hops < MaxSuccessorHops; hops++)
        {
            var (found, newer) = await FindNewerAsync(request, hash, cancellationToken).ConfigureAwait(false);
            if (found is not null || newer?.RefreshToken is not { } newerRefreshToken)
            {
                return (found, request, hash);
            }

            // Replaced, but already due for a refresh itself: the newer refresh token is the one to spend, never the old one.
            request = request with { Snapshot = newer, RejectedAccessToken = null };
            hash = RefreshTokenSuccessors.Hash(newerRefreshToken);
        }

        return (null, request, hash);
    }

    private async Task<(RefreshOutcome? Found, TokenSnapshot? Newer)> FindNewerAsync(RefreshRequest request, string hash, CancellationToken cancellationToken)
    {
        var held = await request.Home.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (held.Gone)
        {
            return (RefreshOutcome.Ended(held.Failure, request.Home.CanSignOut), null);
        }

        if (held.Tokens is { } tokens)
        {
            var stored = Compare(tokens, request);
            if (stored.Found is not null || stored.Newer is not null)
            {
                return stored;
            }
        }

        var successor = await _successors.ReadAsync(hash, cancellationToken).ConfigureAwait(false);
        if (successor?.RejectedAs is { } kind)
        {
            return (RefreshOutcome.Ended(
                new EllipsisDriveTokenException(kind, "The refresh token was already rejected by Ellipsis Drive; the user must sign in again."), signOut: true), null);
        }

        return successor?.Tokens is { } successorTokens ? Compare(successorTokens, request) : (null, null);
    }

    // Usable as it is: found. Holding another refresh token: newer, to be refreshed from. Otherwise: nothing new.
    private (RefreshOutcome? Found, TokenSnapshot? Newer) Compare(TokenSnapshot candidate, RefreshRequest request) =>
        IsReplacement(candidate, request) ? (RefreshOutcome.Success(candidate), null)
        : candidate.RefreshToken is not null && !string.Equals(candidate.RefreshToken, request.Snapshot.RefreshToken, StringComparison.Ordinal) ? (null, candidate)
        : (null, null);

    private static bool HasTokens(AuthenticationProperties properties) =>
        TokenSnapshot.From(properties) is { AccessToken: not null } or { RefreshToken: not null };

    // Usable, and not the token the request already had.
    private bool IsReplacement(TokenSnapshot candidate, RefreshRequest request) =>
        !string.Equals(candidate.AccessToken, request.Snapshot.AccessToken, StringComparison.Ordinal)
        && IsUsable(candidate, request.RejectedAccessToken);

    private bool IsUsable(TokenSnapshot snapshot, string? rejectedAccessToken) =>
        snapshot.AccessToken is not null
        && !string.Equals(snapshot.AccessToken, rejectedAccessToken, StringComparison.Ordinal)
        && !NeedsRefresh(snapshot);

    internal bool NeedsRefresh(TokenSnapshot snapshot) =>
        snapshot.AccessToken is null
        || (snapshot.ExpiresAt is { } expiresAt && _timeProvider.GetUtcNow() >= expiresAt - _options.Value.RefreshBeforeExpiry);

    private async Task<string> GetCookieSchemeAsync() =>
        _options.Value.ResolveCookieScheme(_handlerOptions)
        ?? (await _schemes.GetDefaultSignInSchemeAsync().ConfigureAwait(false))?.Name
        ?? throw new InvalidOperationException(
            "No cookie scheme holds the signed-in user: set EllipsisDriveTokenOptions.CookieScheme or a default sign-in scheme.");

    /// <summary>
    /// The cookie scheme's result for this request. When that scheme is the default one, the authentication middleware
    /// already authenticated it and left the result in <see cref="IAuthenticateResultFeature"/> (cleared if the app
    /// replaced <c>HttpContext.User</c>): taking it skips a second pass through the authentication service, the handler
    /// and the claims transformation on every request that asks for a token.
    /// </summary>
    private async Task<AuthenticateResult> AuthenticateAsync(HttpContext httpContext, string cookieScheme)
    {
        if (httpContext.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { Succeeded: true } known
            && string.Equals(known.Ticket.AuthenticationScheme, cookieScheme, StringComparison.Ordinal)
            && string.Equals((await _schemes.GetDefaultAuthenticateSchemeAsync().ConfigureAwait(false))?.Name, cookieScheme, StringComparison.Ordinal))
        {
            return known;
        }

        return await httpContext.AuthenticateAsync(cookieScheme).ConfigureAwait(false);
    }

    private async Task ReissueCookieAsync(HttpContext httpContext, string cookieScheme, AuthenticateResult result, Action<AuthenticationProperties> change)
    {
        if (httpContext.Response.HasStarted)
        {
            // The tokens live in the cookie and the headers are gone: the refresh is kept in the successor cache only.
            LogCookieNotReissued(_logger);
            return;
        }

        var properties = result.Properties!.Clone();
        change(properties);
        await httpContext.SignInAsync(cookieScheme, result.Principal!, properties).ConfigureAwait(false);
    }

    private async Task SignOutCookieAsync(HttpContext httpContext, string cookieScheme)
    {
        if (httpContext.Response.HasStarted)
        {
            LogCookieNotReissued(_logger);
            return;
        }

        await httpContext.SignOutAsync(cookieScheme).ConfigureAwait(false);
    }

    private static EllipsisDriveSignInRequiredException SignInRequired(RefreshOutcome outcome) =>
        new(outcome.Failure is null
                ? "The session has ended (signed out or expired); the user must sign in again."
                : "Ellipsis Drive rejected the refresh token (" + EllipsisDriveMetrics.ToTag(outcome.Failure.Kind) + "); the session has ended and the user must sign in again.",
            outcome.Failure);

    // No HttpContext: the refresh may outlive the request that started it.
    private sealed record RefreshRequest(TokenSnapshot Snapshot, TokenHome Home, string? RejectedAccessToken, ClaimsPrincipal? Principal);

    private sealed record RefreshOutcome(TokenSnapshot? Tokens, EllipsisDriveTokenException? Failure, bool SignOut)
    {
        public static RefreshOutcome Success(TokenSnapshot tokens) => new(tokens, null, false);

        public static RefreshOutcome Ended(EllipsisDriveTokenException? failure, bool signOut) => new(null, failure, signOut);
    }

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "The Ellipsis Drive access token was refreshed (refresh token rotated: {Rotated}; expires at {ExpiresAt}).")]
    private static partial void LogRefreshed(ILogger logger, bool rotated, DateTimeOffset? expiresAt);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Refreshing the Ellipsis Drive access token failed ({Kind}, HTTP {StatusCode}).")]
    private static partial void LogRefreshFailed(ILogger logger, string kind, int? statusCode);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Ellipsis Drive rejected the refresh token ({Kind}); the session has ended (signed out: {SignedOut}).")]
    private static partial void LogSessionEnded(ILogger logger, string kind, bool signedOut);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "An Ellipsis Drive grant was saved to the token store.")]
    private static partial void LogConnected(ILogger logger);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "The Ellipsis Drive sign-in was not saved to the token store: the signed-in user has no '{ClaimType}' claim (EllipsisDriveTokenOptions.UserKeyClaimType); the tokens stay in the session.")]
    private static partial void LogNoUserKey(ILogger logger, string claimType);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "The refresh lock ({LockType}) is unavailable ({ExceptionType}); refreshing without it.")]
    private static partial void LogRefreshLockUnavailable(ILogger logger, string lockType, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Refreshing the Ellipsis Drive access token ahead of its expiry failed for a passing reason; the current access token, still valid, is used meanwhile.")]
    private static partial void LogKeptValidToken(ILogger logger);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "A token request joined the refresh already in flight for its session.")]
    private static partial void LogJoined(ILogger logger);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "The refreshed tokens could not be written into the auth cookie because the response had already started; they stay available to this session's next request for EllipsisDriveTokenOptions.SuccessorLifetime. Get the token before writing the response, or keep sessions on the server (AddEllipsisDriveSessions).")]
    private static partial void LogCookieNotReissued(ILogger logger);
}
