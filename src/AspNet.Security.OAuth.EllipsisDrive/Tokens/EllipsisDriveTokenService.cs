using System.Collections.Concurrent;
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
/// nodes when one is registered), and saves the result: into the server-side session when there is one, else into the
/// auth cookie of each waiting request whose response has not started.
/// </summary>
internal sealed partial class EllipsisDriveTokenService : IEllipsisDriveTokenService
{
    private static readonly object RequestTokensKey = new();

    private readonly ConcurrentDictionary<string, Lazy<Task<RefreshOutcome>>> _flights = new(StringComparer.Ordinal);
    private readonly IServiceProvider _services;
    private readonly IOptions<EllipsisDriveTokenOptions> _options;
    private readonly IOptionsMonitor<EllipsisDriveOptions> _handlerOptions;
    private readonly IAuthenticationSchemeProvider _schemes;
    private readonly TimeProvider _timeProvider;
    private readonly RefreshTokenSuccessors _successors;
    private readonly IEllipsisDriveRefreshLock _lock;
    private readonly EllipsisDriveMetrics _metrics;
    private readonly ILogger _logger;

    public EllipsisDriveTokenService(
        IServiceProvider services,
        IOptions<EllipsisDriveTokenOptions> options,
        IOptionsMonitor<EllipsisDriveOptions> handlerOptions,
        IAuthenticationSchemeProvider schemes,
        TimeProvider timeProvider,
        RefreshTokenSuccessors successors,
        IEllipsisDriveRefreshLock refreshLock,
        EllipsisDriveMetrics metrics,
        ILogger<EllipsisDriveTokenService> logger)
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
    }

    private EllipsisDriveTicketStore? Store => _services.GetService<EllipsisDriveTicketStore>();

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
        var store = Store ?? throw new InvalidOperationException(
            "Tokens can only be read without a request when sessions are kept on the server: call services.AddEllipsisDriveSessions().");
        var ticket = await store.ReadAsync(sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new EllipsisDriveSignInRequiredException("The session has ended (signed out or expired); the user must sign in again.");

        var snapshot = TokenSnapshot.From(ticket.Properties);
        if (rejectedAccessToken is null ? !NeedsRefresh(snapshot) : IsUsable(snapshot, rejectedAccessToken))
        {
            return snapshot.AccessToken!;
        }

        var outcome = await RefreshSharedAsync(
            new RefreshRequest(snapshot, sessionId, rejectedAccessToken, null, ticket.Principal), cancellationToken).ConfigureAwait(false);
        return outcome.Tokens?.AccessToken ?? throw SignInRequired(outcome);
    }

    private async Task<string> GetAsync(HttpContext httpContext, bool force, string? rejectedAccessToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var cookieScheme = await GetCookieSchemeAsync().ConfigureAwait(false);
        var result = await AuthenticateAsync(httpContext, cookieScheme).ConfigureAwait(false);
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

        var outcome = await RefreshSharedAsync(
            new RefreshRequest(snapshot, sessionKey, force ? rejectedAccessToken ?? snapshot.AccessToken : null, httpContext, result.Principal), cancellationToken)
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

    private async Task<RefreshOutcome> RefreshSharedAsync(RefreshRequest request, CancellationToken cancellationToken)
    {
        if (request.Snapshot.RefreshToken is not { } refreshToken)
        {
            throw new EllipsisDriveSignInRequiredException(
                "The access token expired and Ellipsis Drive gave no refresh token to renew it; the user must sign in again.");
        }

        var hash = RefreshTokenSuccessors.Hash(refreshToken);
        Lazy<Task<RefreshOutcome>>? mine = null;
        mine = new Lazy<Task<RefreshOutcome>>(() => RunFlightAsync(request, hash, mine!), LazyThreadSafetyMode.ExecutionAndPublication);
        var flight = _flights.GetOrAdd(hash, mine);
        if (!ReferenceEquals(flight, mine))
        {
            _metrics.JoinedSingleFlight();
            LogJoined(_logger);
        }

        return await flight.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<RefreshOutcome> RunFlightAsync(RefreshRequest request, string hash, Lazy<Task<RefreshOutcome>> flight)
    {
        // Yield so that the flight never runs on (or with the cancellation of) the caller that started it.
        await Task.Yield();
        try
        {
            using var activity = EllipsisDriveTelemetry.ActivitySource.StartActivity(EllipsisDriveTelemetry.RefreshActivityName);
            activity?.SetTag("ellipsisdrive.session_mode", request.SessionKey is null ? "cookie" : "server");
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
        finally
        {
            _flights.TryRemove(new KeyValuePair<string, Lazy<Task<RefreshOutcome>>>(hash, flight));
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
        if (await FindNewerAsync(request, hash, cancellationToken).ConfigureAwait(false) is { } already)
        {
            return already;
        }

        var handle = await _lock.AcquireAsync(hash, cancellationToken).ConfigureAwait(false);
        await using (handle.ConfigureAwait(false))
        {
            // Another node held the lock: it has probably refreshed already.
            if (handle.Waited && await FindNewerAsync(request, hash, cancellationToken).ConfigureAwait(false) is { } refreshedElsewhere)
            {
                return refreshedElsewhere;
            }

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
                if (await FindNewerAsync(request, hash, cancellationToken).ConfigureAwait(false) is { } refreshedMeanwhile)
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
            if (request.SessionKey is { } sessionKey && Store is { } store)
            {
                try
                {
                    // Not the caller's cancellation: a refresh that happened must be saved, or the rotated token is lost.
                    var saved = await store.UpdateAsync(sessionKey, tokens.ApplyTo, CancellationToken.None).ConfigureAwait(false);
                    if (saved is null)
                    {
                        return RefreshOutcome.Ended(null, signOut: true);
                    }
                }
                catch (EllipsisDriveSessionStoreUnavailableException)
                {
                    // The successor entry still carries the new tokens to the session's next request.
                }
            }

            return RefreshOutcome.Success(tokens);
        }
    }

    private async Task<RefreshOutcome> EndSessionAsync(RefreshRequest request, string hash, EllipsisDriveTokenException exception, CancellationToken cancellationToken)
    {
        var context = new EllipsisDriveRefreshFailedContext(_services, request.HttpContext, request.Principal, request.SessionKey, exception);
        await _options.Value.Events.RefreshFailed(context).ConfigureAwait(false);
        LogSessionEnded(_logger, EllipsisDriveMetrics.ToTag(exception.Kind), context.SignOut);

        // Requests still carrying this refresh token learn it is dead without calling the token endpoint again.
        await _successors.WriteRejectedAsync(hash, exception.Kind).ConfigureAwait(false);
        if (request.SessionKey is { } sessionKey && Store is { } store)
        {
            try
            {
                if (context.SignOut)
                {
                    await store.RemoveAsync(sessionKey, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await store.UpdateAsync(sessionKey, TokenSnapshot.Clear, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (EllipsisDriveSessionStoreUnavailableException)
            {
                // The rejected marker above keeps the dead refresh token from being tried again.
            }
        }

        return RefreshOutcome.Ended(exception, context.SignOut);
    }

    private async Task<RefreshOutcome?> FindNewerAsync(RefreshRequest request, string hash, CancellationToken cancellationToken)
    {
        if (request.SessionKey is { } sessionKey && Store is { } store)
        {
            var ticket = await store.ReadAsync(sessionKey, cancellationToken).ConfigureAwait(false);
            if (ticket is null)
            {
                return RefreshOutcome.Ended(null, signOut: true);
            }

            var stored = TokenSnapshot.From(ticket.Properties);
            if (IsReplacement(stored, request))
            {
                return RefreshOutcome.Success(stored);
            }
        }

        var successor = await _successors.ReadAsync(hash, cancellationToken).ConfigureAwait(false);
        if (successor?.RejectedAs is { } kind)
        {
            return RefreshOutcome.Ended(
                new EllipsisDriveTokenException(kind, "The refresh token was already rejected by Ellipsis Drive; the user must sign in again."), signOut: true);
        }

        return successor?.Tokens is { } tokens && IsReplacement(tokens, request) ? RefreshOutcome.Success(tokens) : null;
    }

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

    private sealed record RefreshRequest(TokenSnapshot Snapshot, string? SessionKey, string? RejectedAccessToken, HttpContext? HttpContext, ClaimsPrincipal? Principal);

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

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "A token request joined the refresh already in flight for its session.")]
    private static partial void LogJoined(ILogger logger);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "The refreshed tokens could not be written into the auth cookie because the response had already started; they stay available to this session's next request for EllipsisDriveTokenOptions.SuccessorLifetime. Get the token before writing the response, or keep sessions on the server (AddEllipsisDriveSessions).")]
    private static partial void LogCookieNotReissued(ILogger logger);
}
