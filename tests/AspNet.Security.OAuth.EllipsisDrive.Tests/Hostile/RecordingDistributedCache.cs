using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// An <see cref="IDistributedCache"/> (in memory, or over another cache such as Redis) that keeps a copy of every
/// value written, for the leak scan.
/// </summary>
internal sealed class RecordingDistributedCache(IDistributedCache? inner = null) : IDistributedCache
{
    private readonly IDistributedCache _inner = inner ?? new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
    private readonly ConcurrentQueue<(string Key, string Text)> _written = new();

    /// <summary>Gets every key and value written, the value read as UTF-8 text.</summary>
    public IReadOnlyList<(string Key, string Text)> Written => [.. _written];

    public byte[]? Get(string key) => _inner.Get(key);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => _inner.GetAsync(key, token);

    public void Refresh(string key) => _inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

    public void Remove(string key) => _inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        Record(key, value);
        _inner.Set(key, value, options);
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Record(key, value);
        return _inner.SetAsync(key, value, options, token);
    }

    private void Record(string key, byte[] value) =>
        _written.Enqueue((key, key + "\n" + Encoding.UTF8.GetString(value)));
}
