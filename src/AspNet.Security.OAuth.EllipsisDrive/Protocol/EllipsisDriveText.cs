using System.Globalization;
using System.Text;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Makes text that came from outside (the callback's query, the provider's error answers) safe to put in an
/// exception message or a log line.
/// </summary>
internal static class EllipsisDriveText
{
    /// <summary>
    /// Replaces control characters (no forged log lines), line and paragraph separators, invisible format
    /// characters such as the right-to-left override (no display spoofing) and lone surrogates with '?',
    /// and cuts the text at <paramref name="maxLength"/> characters.
    /// </summary>
    public static string Sanitize(string value, int maxLength)
    {
        var builder = new StringBuilder(Math.Min(value.Length, maxLength + 3));
        foreach (var c in value)
        {
            if (builder.Length == maxLength)
            {
                return builder.Append("...").ToString();
            }

            var unsafeChar = char.IsControl(c)
                || char.IsSurrogate(c)
                || c is '\u2028' or '\u2029'
                || char.GetUnicodeCategory(c) == UnicodeCategory.Format;
            builder.Append(unsafeChar ? '?' : c);
        }

        return builder.ToString();
    }

    /// <summary>
    /// Whether <paramref name="token"/> can travel in an <c>Authorization: Bearer</c> header: printable ASCII, no spaces
    /// (RFC 6750 section 2.1 is stricter; this is the part that matters to HTTP).
    /// </summary>
    public static bool IsHeaderSafeToken(string token)
    {
        foreach (var c in token)
        {
            if (c is < '\x21' or > '\x7E')
            {
                return false;
            }
        }

        return token.Length > 0;
    }

    /// <summary>Replaces every occurrence of each of <paramref name="secrets"/> in <paramref name="value"/> with <c>[redacted]</c>.</summary>
    public static string Redact(string value, IEnumerable<string> secrets)
    {
        foreach (var secret in secrets)
        {
            if (secret.Length > 0)
            {
                value = value.Replace(secret, "[redacted]", StringComparison.Ordinal);
            }
        }

        return value;
    }
}
