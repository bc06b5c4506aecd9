using System.Diagnostics;
using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Testing;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

/// <summary>A <c>redis-server</c> on a free loopback port, without persistence, for the Redis rows.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts a server, or answers <see langword="null"/> when <c>redis-server</c> is not installed.</summary>
    /// <returns>The server, or <see langword="null"/>.</returns>
    public static async Task<RedisServer?> TryStartAsync()
    {
        if (RedisProcess.Binary is null)
        {
            return null;
        }

        var port = RedisProcess.FreePort();
        return new RedisServer(await RedisProcess.StartAsync(port), port);
    }

    public async Task<IConnectionMultiplexer> ConnectAsync() =>
        await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { { IPAddress.Loopback, Port } }, AbortOnConnectFail = false });

    public async ValueTask DisposeAsync() => await RedisProcess.StopAsync(_process);
}
