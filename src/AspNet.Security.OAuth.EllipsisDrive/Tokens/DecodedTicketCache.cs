using Microsoft.Extensions.Caching.Memory;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The in-memory cache behind both decode-once paths, the auth cookie's ticket format
/// (<see cref="EllipsisDriveDecodedCookieCache"/>) and the server-side session store (<see cref="EllipsisDriveTicketStore"/>):
/// what a protected value decoded to, so that the same value is not unprotected and deserialized again. One size limit
/// and one expiry policy for both, so the promise made for <see cref="EllipsisDriveTokenOptions.CacheDecodedCookies"/>
/// (a revoked Data Protection key takes effect within 5 minutes) holds for each.
/// </summary>
internal sealed class DecodedTicketCache<TEntry> : IDisposable
    where TEntry : class
{
    // At most this much, in the caller's measure of the protected value (bytes or characters; the decoded tickets take a
    // few times as much again): about 8,000 sessions of 1 KB or 6,000 cookie-mode cookies of 1.3 KB, the active ones of a
    // busy node. An entry over the limit is just not kept.
    private const long SizeLimit = 8 * 1024 * 1024;

    // Sliding: an active user keeps the entry; absolute: a Data Protection key revoked meanwhile is checked again soon.
    private static readonly TimeSpan SlidingExpiration = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan AbsoluteExpiration = TimeSpan.FromMinutes(5);

    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = SizeLimit });

    public bool TryGet(string key, out TEntry? entry) => _entries.TryGetValue(key, out entry);

    /// <summary>Keeps <paramref name="entry"/> under <paramref name="key"/>; <paramref name="size"/> is the length of the protected value.</summary>
    public void Set(string key, TEntry entry, long size) => _entries.Set(key, entry, new MemoryCacheEntryOptions
    {
        Size = size,
        SlidingExpiration = SlidingExpiration,
        AbsoluteExpirationRelativeToNow = AbsoluteExpiration,
    });

    public void Remove(string key) => _entries.Remove(key);

    public void Dispose() => _entries.Dispose();
}
