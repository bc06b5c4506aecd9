using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The allow-list of API paths: patterns of segments (<c>*</c> one segment, a final <c>**</c> any number), and the
/// check that a requested path is a plain path (no dot segments, no encoded separators) before it is matched and
/// sent on, re-escaped segment by segment.
/// </summary>
internal static class EllipsisDriveApiPath
{
    public static bool TryParsePattern(string? pattern, [NotNullWhen(true)] out string[]? segments, [NotNullWhen(false)] out string? problem)
    {
        segments = null;
        if (string.IsNullOrWhiteSpace(pattern))
        {
            problem = "is empty.";
            return false;
        }

        var parts = pattern.Trim('/').Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part == "**" && i != parts.Length - 1)
            {
                problem = "has '**' before its last segment; '**' may only end a pattern.";
                return false;
            }

            if (part is not ("*" or "**") && !IsPlainSegment(part))
            {
                problem = "has an empty, '.', '..' or escaped segment, or a query; write the path as the API documents it, such as 'account/root/*'.";
                return false;
            }
        }

        segments = parts;
        problem = null;
        return true;
    }

    /// <summary>
    /// Splits the requested path (the route's catch-all value, already decoded once by the server) into its segments,
    /// or returns <see langword="null"/> when it is not a plain path.
    /// </summary>
    public static string[]? Split(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var segments = path.Split('/');
        return Array.TrueForAll(segments, IsPlainSegment) ? segments : null;
    }

    public static bool Matches(IReadOnlyList<string[]> patterns, string[] segments)
    {
        foreach (var pattern in patterns)
        {
            if (Matches(pattern, segments))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The path to send to the API, relative to its base address, each segment escaped.</summary>
    public static string Escape(string[] segments)
    {
        var builder = new StringBuilder();
        foreach (var segment in segments)
        {
            if (builder.Length > 0)
            {
                builder.Append('/');
            }

            builder.Append(Uri.EscapeDataString(segment));
        }

        return builder.ToString();
    }

    private static bool Matches(string[] pattern, string[] segments)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == "**")
            {
                return true;
            }

            if (i >= segments.Length || (pattern[i] != "*" && !string.Equals(pattern[i], segments[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return pattern.Length == segments.Length;
    }

    // '%' is left by the server only in an encoded '/' (%2F): refused with '\' so that no segment can become two upstream.
    private static bool IsPlainSegment(string segment) =>
        segment.Length > 0
        && segment is not ("." or "..")
        && segment.AsSpan().IndexOfAny("%\\?#") < 0
        && !segment.AsSpan().ContainsAnyInRange('\u0000', '\u001f')
        && segment.AsSpan().IndexOf('\u007f') < 0;
}
