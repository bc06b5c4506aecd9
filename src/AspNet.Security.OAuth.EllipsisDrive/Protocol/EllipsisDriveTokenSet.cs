using System.Globalization;
using System.Text.Json;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The tokens of one successful token-endpoint answer, read tolerantly: snake_case or camelCase names,
/// <c>expires_in</c> as a number or a numeric string, and no expiry when it is absent.
/// </summary>
internal sealed record EllipsisDriveTokenSet(string AccessToken, string? RefreshToken, string? TokenType, TimeSpan? ExpiresIn, string? Scope)
{
    /// <summary>
    /// Reads a parsed token answer; <see langword="null"/> when it is not a JSON object with an access token.
    /// </summary>
    public static EllipsisDriveTokenSet? TryParse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var accessToken = EllipsisDriveJson.ReadString(root, "access_token", "accessToken", "token");
        if (string.IsNullOrEmpty(accessToken))
        {
            return null;
        }

        return new EllipsisDriveTokenSet(
            accessToken,
            NullIfEmpty(EllipsisDriveJson.ReadString(root, "refresh_token", "refreshToken")),
            NullIfEmpty(EllipsisDriveJson.ReadString(root, "token_type", "tokenType")),
            ReadSeconds(root, "expires_in", "expiresIn"),
            NullIfEmpty(EllipsisDriveJson.ReadString(root, "scope")));
    }

    private static TimeSpan? ReadSeconds(JsonElement root, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (!root.TryGetProperty(name, out var value))
            {
                continue;
            }

            double seconds;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out seconds))
            {
                return ToLifetime(seconds);
            }

            if (value.ValueKind == JsonValueKind.String
                && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
            {
                return ToLifetime(seconds);
            }
        }

        return null;
    }

    // Nonsense lifetimes (negative, NaN, centuries) mean "unknown", so a 401 drives the refresh instead.
    private static TimeSpan? ToLifetime(double seconds) =>
        double.IsFinite(seconds) && seconds >= 0 && seconds <= TimeSpan.FromDays(3650).TotalSeconds
            ? TimeSpan.FromSeconds(Math.Floor(seconds))
            : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
