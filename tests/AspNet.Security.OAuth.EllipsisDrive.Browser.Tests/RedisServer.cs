using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

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

    public static string? Binary { get; } =
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);

    public static void Require()
    {
        if (Binary is not null)
        {
            return;
        }

        const string Reason = "redis-server is not installed (apt-get install redis-server); the sample's Redis-mode tests need it.";
        if (BrowserFixture.IsCi)
        {
            Assert.Fail(Reason + " Under CI=true this is a failure, not a skip.");
        }

        Assert.Skip(Reason);
    }

    public static async Task<RedisServer> StartAsync()
    {
        Require();
        var port = FreePort();
        var start = new ProcessStartInfo(Binary!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port);

        // Bounded wait for the port to accept connections.
        for (var attempt = 0; !await server.AcceptsConnectionsAsync(); attempt++)
        {
            if (process.HasExited || attempt > 100)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"redis-server did not listen on port {port}.");
            }

            await Task.Delay(50);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
