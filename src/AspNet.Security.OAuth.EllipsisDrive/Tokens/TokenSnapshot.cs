using System.Globalization;
using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The tokens of one session as saved by SaveTokens: <c>access_token</c>, <c>refresh_token</c>, <c>token_type</c>, <c>expires_at</c>;
/// and, once a refresh happened, <c>refreshed_at</c> (when it happened: apps show it, it is no secret).
/// </summary>
internal sealed record TokenSnapshot(string? AccessToken, string? RefreshToken, string? TokenType, DateTimeOffset? ExpiresAt, DateTimeOffset? RefreshedAt = null)
{
    public const string AccessTokenName = "access_token";
    public const string RefreshTokenName = "refresh_token";
    public const string TokenTypeName = "token_type";
    public const string ExpiresAtName = "expires_at";
    public const string RefreshedAtName = "refreshed_at";

    public static TokenSnapshot From(AuthenticationProperties properties) => new(
        Read(properties, AccessTokenName),
        Read(properties, RefreshTokenName),
        Read(properties, TokenTypeName),
        ParseTime(Read(properties, ExpiresAtName)));

    public static TokenSnapshot From(EllipsisDriveGrant grant) =>
        new(grant.AccessToken, grant.RefreshToken, grant.TokenType, grant.ExpiresAt, grant.RefreshedAt);

    public EllipsisDriveGrant ToGrant() => new()
    {
        AccessToken = AccessToken,
        RefreshToken = RefreshToken,
        TokenType = TokenType,
        ExpiresAt = ExpiresAt,
        RefreshedAt = RefreshedAt,
    };

    /// <summary>
    /// Writes these tokens into <paramref name="properties"/>, keeping any other token saved there.
    /// </summary>
    public void ApplyTo(AuthenticationProperties properties)
    {
        var ours = new[] { AccessTokenName, RefreshTokenName, TokenTypeName, ExpiresAtName };
        var tokens = properties.GetTokens().Where(t => !ours.Contains(t.Name, StringComparer.Ordinal)).ToList();
        Add(tokens, AccessTokenName, AccessToken);
        Add(tokens, RefreshTokenName, RefreshToken);
        Add(tokens, TokenTypeName, TokenType);
        Add(tokens, ExpiresAtName, ExpiresAt?.ToString("o", CultureInfo.InvariantCulture));
        if (RefreshedAt is { } refreshedAt)
        {
            // Kept across snapshots that do not know it (a cleared session, a successor entry), replaced by a newer refresh.
            tokens.RemoveAll(t => t.Name == RefreshedAtName);
            Add(tokens, RefreshedAtName, refreshedAt.ToString("o", CultureInfo.InvariantCulture));
        }

        properties.StoreTokens(tokens);
    }

    public static void Clear(AuthenticationProperties properties) => new TokenSnapshot(null, null, null, null).ApplyTo(properties);

    // The record's generated ToString would print the tokens; this one never does.
    public override string ToString() => "TokenSnapshot { ExpiresAt = " + ExpiresAt?.ToString("o", CultureInfo.InvariantCulture) + " }";

    private static void Add(List<AuthenticationToken> tokens, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            tokens.Add(new AuthenticationToken { Name = name, Value = value });
        }
    }

    private static string? Read(AuthenticationProperties properties, string name) =>
        properties.GetTokenValue(name) is { Length: > 0 } value ? value : null;

    private static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) ? parsed : null;
}
