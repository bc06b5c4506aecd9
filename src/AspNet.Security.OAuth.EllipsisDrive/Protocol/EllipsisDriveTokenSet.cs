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
    /// Reads a token answer; <see langword="null"/> when the body is not a JSON object with an access token.
    /// </summary>
    public static EllipsisDriveTokenSet? TryParse(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
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
    }

    /// <summary>
    /// The answer in RFC 6749 shape, which <see cref="Microsoft.AspNetCore.Authentication.OAuth.OAuthTokenResponse"/> reads.
    /// </summary>
    public JsonDocument ToRfc6749Json()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("access_token", AccessToken);
            WriteIfPresent(writer, "token_type", TokenType);
            WriteIfPresent(writer, "refresh_token", RefreshToken);
            if (ExpiresIn is { } expiresIn)
            {
                // A string, as OAuthTokenResponse reads it.
                writer.WriteString("expires_in", ((long)expiresIn.TotalSeconds).ToString(CultureInfo.InvariantCulture));
            }

            WriteIfPresent(writer, "scope", Scope);
            writer.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.WrittenMemory);
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
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
