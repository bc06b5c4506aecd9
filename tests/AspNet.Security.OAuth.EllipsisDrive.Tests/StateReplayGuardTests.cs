using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

public sealed class StateReplayGuardTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_the_in_memory_distributed_cache_the_record_is_kept_once_in_memory()
    {
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        using var guard = NewGuard(services => services.AddSingleton<IDistributedCache>(cache));

        Assert.True(await guard.TryConsumeAsync("EllipsisDrive", "state-1", Lifetime, Ct));
        Assert.False(await guard.TryConsumeAsync("EllipsisDrive", "state-1", Lifetime, Ct));
        Assert.True(await guard.TryConsumeAsync("EllipsisDrive", "state-2", Lifetime, Ct));

        // Nothing was written to the in-process "distributed" cache: it would only have been a second copy.
        var key = "AspNet.Security.OAuth.EllipsisDrive.UsedState:EllipsisDrive:"
            + Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Security.Cryptography.SHA256.HashData("state-1"u8));
        Assert.Null(await cache.GetAsync(key, Ct));
    }

    [Fact]
    public async Task A_state_recorded_in_the_shared_cache_by_another_server_is_rejected()
    {
        // Not a MemoryDistributedCache by type: it stands for Redis shared by two servers.
        var shared = new RecordingDistributedCache();
        using var serverA = NewGuard(services => services.AddSingleton<IDistributedCache>(shared));
        using var serverB = NewGuard(services => services.AddSingleton<IDistributedCache>(shared));

        Assert.True(await serverA.TryConsumeAsync("EllipsisDrive", "state-1", Lifetime, Ct));
        Assert.False(await serverB.TryConsumeAsync("EllipsisDrive", "state-1", Lifetime, Ct));
        Assert.Equal(1, shared.Writes);
        Assert.False(await serverA.TryConsumeAsync("EllipsisDrive", "state-1", Lifetime, Ct));
    }

    [Fact]
    public async Task A_distributed_cache_that_does_not_answer_is_given_up_after_the_store_timeout()
    {
        var time = new FakeTimeProvider();
        using var guard = NewGuard(services => services.AddSingleton<IDistributedCache>(new HangingCache()).AddSingleton<TimeProvider>(time));

        var consume = guard.TryConsumeAsync("EllipsisDrive", "state-1", Lifetime, Ct);
        Assert.False(consume.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        // The sign-in goes on; the state stays used on this server.
        Assert.True(await consume);
        Assert.False(await guard.TryConsumeAsync("EllipsisDrive", "state-1", Lifetime, Ct));
    }

    private static EllipsisDriveStateReplayGuard NewGuard(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        configure(services);
        return new EllipsisDriveStateReplayGuard(services.BuildServiceProvider(), NullLogger<EllipsisDriveStateReplayGuard>.Instance);
    }

    private sealed class HangingCache : IDistributedCache
    {
        public byte[]? Get(string key) => throw new NotSupportedException();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => new TaskCompletionSource<byte[]?>().Task;

        public void Refresh(string key) => throw new NotSupportedException();

        public Task RefreshAsync(string key, CancellationToken token = default) => throw new NotSupportedException();

        public void Remove(string key) => throw new NotSupportedException();

        public Task RemoveAsync(string key, CancellationToken token = default) => throw new NotSupportedException();

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => throw new NotSupportedException();
    }
}
