using System.Collections.Concurrent;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The origins the access-token handler has warned about (sent without a token because they are not the API's), so that
/// a client aimed at another origin is reported once per app, however many requests it sends and however often
/// <see cref="IHttpClientFactory"/> replaces its handlers (every two minutes by default). A singleton, not a static,
/// so that two apps in one process (and tests) each report their own.
/// </summary>
internal sealed class EllipsisDriveForeignOrigins
{
    // A client sent to many hosts on purpose gets the first ones reported; the set stays bounded.
    private const int MaxReported = 100;

    private readonly ConcurrentDictionary<(string RequestOrigin, string ApiOrigin), byte> _reported = new();
    private int _count;

    /// <summary>Whether this pair is seen for the first time (and so should be reported); records it.</summary>
    public bool FirstSeen(string requestOrigin, string apiOrigin)
    {
        var key = (requestOrigin, apiOrigin);
        if (_reported.ContainsKey(key) || Volatile.Read(ref _count) >= MaxReported || !_reported.TryAdd(key, 0))
        {
            return false;
        }

        Interlocked.Increment(ref _count);
        return true;
    }
}
