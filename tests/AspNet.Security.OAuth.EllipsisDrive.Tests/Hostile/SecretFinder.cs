namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// Finds thousands of secrets in hundreds of thousands of texts quickly: every window of each secret length is
/// looked up in a hash set (no allocation), instead of one substring search per secret and text.
/// </summary>
internal static class SecretFinder
{
    /// <summary>Finds every text that contains a secret.</summary>
    /// <param name="secrets">The secrets, each with its kind.</param>
    /// <param name="texts">The texts, each with where it came from.</param>
    /// <returns>One line per hit: the kind of secret and where (never the secret itself).</returns>
    public static IReadOnlyList<string> Find(IEnumerable<(string Kind, string Value)> secrets, IEnumerable<(string Where, string Text)> texts)
    {
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (kind, value) in secrets)
        {
            if (value.Length > 0)
            {
                kinds.TryAdd(value, kind);
            }
        }

        var lookup = kinds.GetAlternateLookup<ReadOnlySpan<char>>();
        var lengths = kinds.Keys.Select(k => k.Length).Distinct().Order().ToArray();
        var hits = new List<string>();
        foreach (var (where, text) in texts)
        {
            var span = text.AsSpan();
            foreach (var length in lengths)
            {
                for (var i = 0; i + length <= span.Length; i++)
                {
                    if (lookup.TryGetValue(span.Slice(i, length), out var kind))
                    {
                        hits.Add($"{kind} in {where}");
                    }
                }
            }
        }

        return hits;
    }
}
