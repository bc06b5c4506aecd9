using Microsoft.Extensions.Caching.Memory;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The server-side session store's (<see cref="EllipsisDriveTicketStore"/>) in-memory cache of what a protected entry
/// decoded to, so that the same entry is not unprotected and deserialized again on each request. Entries expire within
/// 5 minutes, so a revoked Data Protection key takes effect within that time.
/// </summary>
internal sealed class DecodedTicketCache<TEntry> : IDisposable
    where TEntry : class
{
    // At most this much, in the caller's measure of the protected value (bytes or characters; the decoded tickets take a
    // few times as much again): about 8,000 sessions of 1 KB, the active ones of a busy node. A larger entry is not kept.
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
