using System.Text;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

public sealed class SecretLeakTests : TokenTestBase
{
    [Fact]
    public async Task Refresh_leaves_no_token_in_cache_values_logs_urls_or_response_bodies()
    {
        var cache = new RecordingCache();
        using var browser = await StartAndSignInAsync(
            serverMode: true,
            services: s => s.AddSingleton<IDistributedCache>(cache));
        var bodies = new List<string> { await browser.GetStringAsync("/test/token"), await browser.GetStringAsync("/test/account") };
        ExpireAccessToken();
        bodies.Add(await browser.GetStringAsync("/test/token"));
        Drive.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 401, Body = """{"message":"no"}""" });
        bodies.Add(await browser.GetStringAsync("/test/account"));
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 503, Body = """{"message":"down"}""" });
        bodies.Add(await browser.GetStringAsync("/test/token"));
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 400, Body = """{"error":"invalid_grant"}""" });
        bodies.Add(await browser.GetStringAsync("/test/token"));

        var secrets = Drive.IssuedSecrets.Where(s => s.Length >= 16).ToList();
        Assert.True(secrets.Count >= 4, "the emulator should have issued access and refresh tokens");
        Assert.True(cache.Values.Count >= 3, "the session and successor entries should have been written");

        var logs = Host.Logs.GetSnapshot().Select(r => r.Message + " " + r.Exception).ToList();
        var appUrls = Drive.Requests.Where(r => r.Endpoint is not (EmulatorEndpoint.Authorize or EmulatorEndpoint.Consent)).Select(r => r.Path + r.QueryString).ToList();
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(cache.Values, value => Encoding.UTF8.GetString(value).Contains(secret, StringComparison.Ordinal)
                || Encoding.Latin1.GetString(value).Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(logs, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(appUrls, url => url.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(bodies, body => body.Contains(secret, StringComparison.Ordinal));
        }
    }

    private sealed class RecordingCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));

        public System.Collections.Concurrent.ConcurrentBag<byte[]> Values { get; } = [];

        public byte[]? Get(string key) => _inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => _inner.GetAsync(key, token);

        public void Refresh(string key) => _inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

        public void Remove(string key) => _inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        {
            Values.Add(value);
            _inner.Set(key, value, options);
        }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Values.Add(value);
            return _inner.SetAsync(key, value, options, token);
        }
    }
}
