using System.Diagnostics;
using System.Globalization;
using AspNet.Security.OAuth.EllipsisDrive.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// A throw-away <c>redis-server</c> on a free loopback port, no persistence. Without the binary the tests that need it
/// skip with the reason, except under <c>CI=true</c>, where they fail.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process? _process;

    private RedisServer(Process? process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000";

    public static string? Binary => RedisProcess.Binary;

    public static void Require() =>
        Prerequisite.Require(Binary is not null, "redis-server is not installed (apt-get install redis-server); the sample's Redis-mode tests need it.");

    public static async Task<RedisServer> StartAsync()
    {
        Require();
        var port = RedisProcess.FreePort();
        return new RedisServer(await RedisProcess.StartAsync(port), port);
    }

    public async ValueTask DisposeAsync() => await RedisProcess.StopAsync(_process);
}
