using System.Globalization;
using Microsoft.AspNetCore.Authentication;

namespace WebApp;

/// <summary>
/// What the account page may say about the tokens: when the access token expires and when it was last refreshed.
/// It never holds a token value.
/// </summary>
/// <param name="ExpiresAt">When the current access token expires, when Ellipsis Drive said.</param>
/// <param name="RefreshedAt">When the package last refreshed the access token; <see langword="null"/> when it is still the sign-in's.</param>
/// <param name="HasRefreshToken">Whether a refresh token is kept.</param>
public sealed record TokenStatus(DateTimeOffset? ExpiresAt, DateTimeOffset? RefreshedAt, bool HasRefreshToken)
{
    /// <summary>Reads the status from the signed-in user's authentication properties.</summary>
    public static TokenStatus From(AuthenticationProperties? properties) =>
        properties is null
            ? new TokenStatus(null, null, false)
            : new TokenStatus(
                Parse(properties.GetTokenValue("expires_at")),
                Parse(properties.GetTokenValue("refreshed_at")),
                !string.IsNullOrEmpty(properties.GetTokenValue("refresh_token")));

    private static DateTimeOffset? Parse(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;
}
