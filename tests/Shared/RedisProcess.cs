using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AspNet.Security.OAuth.EllipsisDrive.Testing;

/// <summary>
/// A throw-away <c>redis-server</c> process on a loopback port, without persistence: finding the binary, picking a free
/// port, starting the process and waiting until it answers <c>PING</c>, and stopping it. Shared (linked) by the test
/// projects and the benchmarks; what to do when Redis is missing is the caller's decision.
/// </summary>
internal static class RedisProcess
{
    /// <summary>Gets the path of <c>redis-server</c>, or <see langword="null"/> when it is not installed.</summary>
    public static string? Binary { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin").Append("/usr/sbin")
            .Select(directory => Path.Combine(directory, "redis-server"))
            .FirstOrDefault(File.Exists);

    /// <summary>A loopback port that was free a moment ago.</summary>
    /// <returns>The port.</returns>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <see cref="Binary"/> on <paramref name="port"/> and waits (at most 10 seconds) until it answers.</summary>
    /// <param name="port">The loopback port.</param>
    /// <returns>The running process.</returns>
    public static async Task<Process> StartAsync(int port)
    {
        var binary = Binary ?? throw new InvalidOperationException("redis-server is not installed.");
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await PingAsync(port))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var exited = process.HasExited;
                await StopAsync(process);
                throw new InvalidOperationException($"redis-server did not start on port {port} (exited: {exited}).");
            }

            await Task.Delay(50);
        }

        return process;
    }

    /// <summary>Kills <paramref name="process"/> (if it still runs), waits for it, and disposes it.</summary>
    /// <param name="process">The process, or <see langword="null"/>.</param>
    /// <returns>A task.</returns>
    public static async Task StopAsync(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
    }

    /// <summary>Whether a Redis on <paramref name="port"/> answers <c>PING</c> with <c>+PONG</c>.</summary>
    /// <param name="port">The loopback port.</param>
    /// <returns><see langword="true"/> when it answers.</returns>
    public static async Task<bool> PingAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
