using System.Globalization;
using Microsoft.AspNetCore.Authentication;

namespace WebApp;

/// <summary>
/// What the account page may say about the tokens: when the access token expires and whether (and about when) it was
/// refreshed. It never holds a token value.
/// </summary>
/// <param name="ExpiresAt">When the current access token expires, when Ellipsis Drive said.</param>
/// <param name="RefreshedAt">About when the current access token was issued by a refresh; <see langword="null"/> when it is still the sign-in's.</param>
/// <param name="HasRefreshToken">Whether a refresh token is kept.</param>
public sealed record TokenStatus(DateTimeOffset? ExpiresAt, DateTimeOffset? RefreshedAt, bool HasRefreshToken)
{
    private const string SignedInAtItem = "webapp.signed_in_at";
    private const string FirstExpiresAtItem = "webapp.first_expires_at";

    /// <summary>
    /// At sign-in, remembers when it happened and when the first access token expires, so a later, different
    /// expiry shows that the package refreshed the token (the package does not expose when it refreshed).
    /// </summary>
    public static Task RememberSignInAsync(TicketReceivedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Properties is { } properties)
        {
            var now = context.HttpContext.RequestServices.GetService<TimeProvider>()?.GetUtcNow() ?? DateTimeOffset.UtcNow;
            properties.Items[SignedInAtItem] = now.ToString("o", CultureInfo.InvariantCulture);
            properties.Items[FirstExpiresAtItem] = properties.GetTokenValue("expires_at");
        }

        return Task.CompletedTask;
    }

    /// <summary>Reads the status from the signed-in user's authentication properties.</summary>
    public static TokenStatus From(AuthenticationProperties? properties)
    {
        if (properties is null)
        {
            return new TokenStatus(null, null, false);
        }

        var expiresAt = Parse(properties.GetTokenValue("expires_at"));
        var firstExpiresAt = Parse(properties.Items.TryGetValue(FirstExpiresAtItem, out var first) ? first : null);
        var signedInAt = Parse(properties.Items.TryGetValue(SignedInAtItem, out var signedIn) ? signedIn : null);

        DateTimeOffset? refreshedAt = null;
        if (expiresAt is { } expires && firstExpiresAt is { } firstExpires && signedInAt is { } signedInTime && expires != firstExpires)
        {
            // Refreshed tokens are assumed to live as long as the first one did.
            refreshedAt = expires - (firstExpires - signedInTime);
        }

        return new TokenStatus(expiresAt, refreshedAt, !string.IsNullOrEmpty(properties.GetTokenValue("refresh_token")));
    }

    private static DateTimeOffset? Parse(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;
}
