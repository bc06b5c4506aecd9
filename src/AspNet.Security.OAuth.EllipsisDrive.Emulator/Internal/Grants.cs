namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

/// <summary>An authorization request waiting for the user's choice on the consent page.</summary>
internal sealed record PendingAuthorization(
    string ClientId,
    string RedirectUri,
    bool RedirectUriSent,
    string? State,
    string? CodeChallenge,
    string CodeChallengeMethod,
    DateTimeOffset ExpiresAt);

internal sealed record AuthorizationCodeGrant(
    string ClientId,
    string UserId,
    string RedirectUri,
    bool RedirectUriSent,
    string? CodeChallenge,
    string CodeChallengeMethod,
    DateTimeOffset ExpiresAt);

internal sealed record RefreshTokenGrant(string ClientId, string UserId);

internal sealed class AccessTokenGrant(string clientId, string userId, DateTimeOffset? expiresAt)
{
    private volatile bool _expired;

    public string ClientId { get; } = clientId;

    public string UserId { get; } = userId;

    public DateTimeOffset? ExpiresAt { get; } = expiresAt;

    public void Expire() => _expired = true;

    public bool IsValidAt(DateTimeOffset now) => !_expired && (ExpiresAt is not { } expiresAt || now < expiresAt);
}

internal sealed record EmulatorItem(
    string Id,
    string Name,
    string Type,
    EmulatorUser Owner,
    bool Trashed,
    bool Favorite,
    bool SharedWithOthers,
    string Description,
    string? ParentId = null);
