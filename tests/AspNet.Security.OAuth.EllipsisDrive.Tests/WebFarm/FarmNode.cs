using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.WebFarm;

/// <summary>
/// One node of the farm: its own app (own memory, own Redis connection) sharing, through Redis, the ticket store, the
/// Data Protection keys (same application name) and the refresh lock with the other nodes.
/// </summary>
internal sealed class FarmNode : IAsyncDisposable
{
    private FarmNode(TokenTestHost host, IConnectionMultiplexer redis)
    {
        Host = host;
        Redis = redis;
    }

    public TokenTestHost Host { get; }

    public IConnectionMultiplexer Redis { get; }

    public static async Task<FarmNode> StartAsync(
        RedisServerFixture redisServer, EllipsisDriveEmulator drive, TimeProvider time, string farm, Action<EllipsisDriveSessionOptions>? sessions = null)
    {
        var redis = await redisServer.ConnectAsync();
        var host = await TokenTestHost.StartAsync(drive, time, serverMode: true, services =>
        {
            services.AddDataProtection().SetApplicationName(farm).PersistKeysToStackExchangeRedis(redis, farm + ":data-protection-keys");
            services.AddStackExchangeRedisCache(options =>
            {
                options.ConnectionMultiplexerFactory = () => Task.FromResult(redis);
                options.InstanceName = farm + ":";
            });
            services.AddEllipsisDriveRedisRefreshLock(redis);
            if (sessions is not null)
            {
                services.Configure(sessions);
            }
        });
        return new FarmNode(host, redis);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
