using System.Diagnostics;
using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Testing;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.WebFarm;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, without persistence, started for a test class and stopped after.
/// Without the binary the tests skip with the reason, except on CI (<c>CI=true</c>), where they fail.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; private set; }

    public string? Binary => RedisProcess.Binary;

    public string EndPoint => $"127.0.0.1:{Port}";

    public async ValueTask InitializeAsync()
    {
        if (Binary is not null)
        {
            Port = RedisProcess.FreePort();
            await StartAsync();
        }
    }

    /// <summary>Skips (or, on CI, fails) the calling test when Redis is not installed.</summary>
    public void RequireRedis() =>
        Prerequisite.Require(Binary is not null, "redis-server is not installed (apt-get install -y redis-server); the Redis web-farm tests need a real Redis.");

    public async Task StartAsync() => _process = await RedisProcess.StartAsync(Port);

    public async Task StopAsync()
    {
        await RedisProcess.StopAsync(_process);
        _process = null;
    }

    public async Task<IConnectionMultiplexer> ConnectAsync() =>
        await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { IPAddress.Loopback, Port } },
            AbortOnConnectFail = false,
            ConnectTimeout = 500,
            SyncTimeout = 500,
            AsyncTimeout = 500,
            ConnectRetry = 1,
            BacklogPolicy = BacklogPolicy.FailFast,
            ReconnectRetryPolicy = new LinearRetry(100),
        });

    public async ValueTask DisposeAsync() => await StopAsync();
}
