using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;

/// <summary>
/// An <see cref="IDistributedCache"/> (in memory, or over another cache such as Redis) that counts its reads and keeps
/// a copy of every value written, for the leak scans and the read/write counts. Not a
/// <see cref="MemoryDistributedCache"/> by type, so the package treats it as a cache shared with other servers.
/// </summary>
internal sealed class RecordingDistributedCache(IDistributedCache? inner = null) : IDistributedCache
{
    private readonly IDistributedCache _inner = inner ?? new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
    private readonly ConcurrentQueue<(string Key, byte[] Value)> _written = new();
    private int _reads;

    /// <summary>Gets how many times a value was read.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Gets how many values were written.</summary>
    public int Writes => _written.Count;

    /// <summary>Gets every value written, as written.</summary>
    public IReadOnlyList<byte[]> Values => [.. _written.Select(w => w.Value)];

    /// <summary>Gets every key and value written, the value read as UTF-8 text.</summary>
    public IReadOnlyList<(string Key, string Text)> Written => [.. _written.Select(w => (w.Key, w.Key + "\n" + Encoding.UTF8.GetString(w.Value)))];

    public byte[]? Get(string key)
    {
        Interlocked.Increment(ref _reads);
        return _inner.Get(key);
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        Interlocked.Increment(ref _reads);
        return _inner.GetAsync(key, token);
    }

    public void Refresh(string key) => _inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

    public void Remove(string key) => _inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        _written.Enqueue((key, value));
        _inner.Set(key, value, options);
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        _written.Enqueue((key, value));
        return _inner.SetAsync(key, value, options, token);
    }
}
