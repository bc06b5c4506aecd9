using System.Text.Json;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Reads what Ellipsis Drive answers, tolerantly: a field may be missing, of another type, or named in another case.
/// </summary>
internal static class EllipsisDriveJson
{
    /// <summary>
    /// The first of <paramref name="names"/> that <paramref name="element"/> has as a string; <see langword="null"/>
    /// when none does, or when <paramref name="element"/> is not an object.
    /// </summary>
    public static string? ReadString(JsonElement element, params ReadOnlySpan<string> names)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var name in names)
        {
            if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }
        }

        return null;
    }

    /// <summary>
    /// Parses a (buffered) answer straight from its bytes, without making a string of it first; <see langword="null"/> when
    /// it is not JSON. A body declared in another charset than UTF-8 is decoded as text first, as a string read would.
    /// </summary>
    public static async Task<JsonDocument?> TryParseAsync(HttpContent content, int maxDepth, CancellationToken cancellationToken)
    {
        var options = new JsonDocumentOptions { MaxDepth = maxDepth };
        try
        {
            var charset = content.Headers.ContentType?.CharSet;
            if (!string.IsNullOrEmpty(charset) && !IsUtf8(charset))
            {
                return JsonDocument.Parse(await content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), options);
            }

            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(stream, options, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null; // An unknown charset.
        }
    }

    private static bool IsUtf8(string charset)
    {
        var name = charset.Trim('"', ' ');
        return name.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || name.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Reads an error answer in any of the shapes Ellipsis Drive may use: RFC 6749's <c>{error, error_description}</c>
    /// (or <c>errorDescription</c>) and the API's <c>{message}</c>. Blank strings count as absent.
    /// </summary>
    public static ProviderError ReadError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            return new ProviderError(
                IsJson: true,
                NullIfBlank(ReadString(root, "error")),
                NullIfBlank(ReadString(root, "error_description")) ?? NullIfBlank(ReadString(root, "errorDescription")),
                NullIfBlank(ReadString(root, "message")));
        }
        catch (JsonException)
        {
            return new ProviderError(IsJson: false, null, null, null);
        }
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>What an error answer said, field by field; <paramref name="IsJson"/> is whether the body was JSON at all.</summary>
internal readonly record struct ProviderError(bool IsJson, string? Error, string? Description, string? Message);
