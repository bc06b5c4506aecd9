namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Where a refresh finds the tokens it may have been beaten to and saves the tokens it got, besides the successor cache:
/// a user's stored grant (<see cref="GrantTokenHome"/>), a server-side session (<see cref="SessionTokenHome"/>), or no
/// place shared by requests (<see cref="CookieTokenHome"/>: each request writes its own auth cookie).
/// </summary>
internal abstract class TokenHome
{
    /// <summary>Gets the tag of this home in telemetry: <c>store</c>, <c>server</c> or <c>cookie</c>.</summary>
    public abstract string Mode { get; }

    /// <summary>Gets the server-side session, when the tokens live in one.</summary>
    public virtual string? SessionId => null;

    /// <summary>Gets the user key of the stored grant, when the tokens live in a token store.</summary>
    public virtual string? UserKey => null;

    /// <summary>Gets whether ending the tokens here may sign the user out (a session may end; a stored grant is only marked).</summary>
    public virtual bool CanSignOut => true;

    /// <summary>Reads the tokens held now.</summary>
    public abstract Task<HeldTokens> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Saves the result of a refresh that spent <paramref name="spentRefreshToken"/>; <see langword="false"/> when the home is gone (the session ended).</summary>
    public abstract Task<bool> SaveAsync(TokenSnapshot tokens, string spentRefreshToken);

    /// <summary>Ellipsis Drive refused <paramref name="spentRefreshToken"/>: forget the tokens, and end the session when <paramref name="signOut"/>.</summary>
    public abstract Task EndAsync(string spentRefreshToken, bool signOut, CancellationToken cancellationToken);
}

/// <summary>
/// What a <see cref="TokenHome"/> holds: tokens, nothing known (cookie mode), or the sign that the tokens are gone for good.
/// </summary>
internal readonly record struct HeldTokens(TokenSnapshot? Tokens, bool Gone, EllipsisDriveTokenException? Failure = null)
{
    public static readonly HeldTokens Unknown = new(null, false);

    public static HeldTokens Of(TokenSnapshot tokens) => new(tokens, false);

    public static HeldTokens Ended(EllipsisDriveTokenException? failure = null) => new(null, true, failure);
}

/// <summary>Cookie mode: the tokens live in each request's auth cookie, which the request itself re-issues.</summary>
internal sealed class CookieTokenHome : TokenHome
{
    public static readonly CookieTokenHome Instance = new();

    public override string Mode => "cookie";

    public override Task<HeldTokens> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(HeldTokens.Unknown);

    public override Task<bool> SaveAsync(TokenSnapshot tokens, string spentRefreshToken) => Task.FromResult(true);

    public override Task EndAsync(string spentRefreshToken, bool signOut, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A server-side session of the ticket store.</summary>
internal sealed class SessionTokenHome(EllipsisDriveTicketStore store, string sessionId) : TokenHome
{
    public override string Mode => "server";

    public override string? SessionId => sessionId;

    public override async Task<HeldTokens> ReadAsync(CancellationToken cancellationToken) =>
        await store.ReadAsync(sessionId, cancellationToken).ConfigureAwait(false) is { } ticket
            ? HeldTokens.Of(TokenSnapshot.From(ticket.Properties))
            : HeldTokens.Ended();

    public override async Task<bool> SaveAsync(TokenSnapshot tokens, string spentRefreshToken)
    {
        try
        {
            // Not the caller's cancellation: a refresh that happened must be saved, or the rotated token is lost.
            return await store.UpdateAsync(sessionId, tokens.ApplyTo, CancellationToken.None).ConfigureAwait(false) is not null;
        }
        catch (EllipsisDriveSessionStoreUnavailableException)
        {
            return true; // The successor entry still carries the new tokens to the session's next request.
        }
    }

    public override async Task EndAsync(string spentRefreshToken, bool signOut, CancellationToken cancellationToken)
    {
        try
        {
            if (signOut)
            {
                await store.RemoveAsync(sessionId, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await store.UpdateAsync(sessionId, TokenSnapshot.Clear, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (EllipsisDriveSessionStoreUnavailableException)
        {
            // The successor cache's rejected marker keeps the dead refresh token from being tried again.
        }
    }
}

/// <summary>A user's grant in the registered <see cref="IEllipsisDriveTokenStore"/>.</summary>
internal sealed class GrantTokenHome(IEllipsisDriveTokenStore store, string scheme, string userKey) : TokenHome
{
    public override string Mode => "store";

    public override string? UserKey => userKey;

    public override bool CanSignOut => false;

    public override async Task<HeldTokens> ReadAsync(CancellationToken cancellationToken) =>
        await store.GetAsync(scheme, userKey, cancellationToken).ConfigureAwait(false) switch
        {
            null => HeldTokens.Ended(),
            { ReconnectRequired: true } => HeldTokens.Ended(new EllipsisDriveTokenException(
                EllipsisDriveTokenErrorKind.InvalidGrant, "Ellipsis Drive refused this user's refresh token; the user must connect Ellipsis Drive again.")),
            var grant => HeldTokens.Of(TokenSnapshot.From(grant)),
        };

    // Refused when the grant was replaced meanwhile (a new sign-in, a disconnect): the store keeps that, and the refreshed
    // tokens still serve the callers that waited for them.
    public override async Task<bool> SaveAsync(TokenSnapshot tokens, string spentRefreshToken)
    {
        await store.SaveAsync(scheme, userKey, tokens.ToGrant(), spentRefreshToken, CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    // The grant stays, marked, so that the app can tell the user to connect again.
    public override Task EndAsync(string spentRefreshToken, bool signOut, CancellationToken cancellationToken) =>
        store.SaveAsync(scheme, userKey, new EllipsisDriveGrant { ReconnectRequired = true }, spentRefreshToken, CancellationToken.None);
}
