using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AspNet.Security.OAuth.EllipsisDrive.Testing;

/// <summary>
/// A throw-away PostgreSQL server on a loopback port: <c>initdb</c> into a temporary directory (trust authentication,
/// no fsync), <c>postgres</c> listening on 127.0.0.1 only with its socket in that directory, stopped by the postmaster's
/// process id (fast shutdown) and the directory deleted. As root, both programs run as the <c>postgres</c> system user
/// (they refuse to run as root), which then owns the directory. Shared (linked) by the test projects; what to do when
/// PostgreSQL is missing is the caller's decision.
/// </summary>
internal sealed class PostgresProcess : IAsyncDisposable
{
    private const string SystemUser = "postgres";

    private readonly Process _process;
    private readonly string _directory;
    private readonly ConcurrentQueue<string> _output;

    private PostgresProcess(Process process, string directory, ConcurrentQueue<string> output, int port)
    {
        _process = process;
        _directory = directory;
        _output = output;
        Port = port;
    }

    /// <summary>Gets the directory of <c>initdb</c> and <c>postgres</c>, or <see langword="null"/> when PostgreSQL is not installed.</summary>
    public static string? BinDirectory { get; } = FindBinDirectory();

    /// <summary>Gets the loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>A connection string to <paramref name="database"/> as the superuser <c>postgres</c>.</summary>
    /// <param name="database">The database.</param>
    /// <returns>The connection string.</returns>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username={SystemUser};Database={database};Include Error Detail=true";

    /// <summary>Initializes a cluster in a new temporary directory, starts the server and waits (at most 30 seconds) until it accepts connections.</summary>
    /// <returns>The running server.</returns>
    public static async Task<PostgresProcess> StartAsync()
    {
        var bin = BinDirectory ?? throw new InvalidOperationException("PostgreSQL is not installed.");
        var directory = Directory.CreateTempSubdirectory("ellipsisdrive-postgres-").FullName;
        var output = new ConcurrentQueue<string>();
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                await RunAsync("chown", [SystemUser, directory]);
            }

            var data = Path.Combine(directory, "data");
            await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", SystemUser, "--auth=trust", "--no-sync", "--encoding=UTF8", "--no-locale"], asSystemUser: true);

            var port = FreePort();
            var process = Start(
                Path.Combine(bin, "postgres"),
                ["-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-k", directory, "-c", "listen_addresses=127.0.0.1",
                 "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300"],
                asSystemUser: true,
                output);
            var server = new PostgresProcess(process, directory, output, port);
            try
            {
                await server.WaitUntilReadyAsync(Path.Combine(bin, "pg_isready"));
                return server;
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
        catch
        {
            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>Stops the server (SIGINT to the postmaster: fast shutdown), waits for it, and deletes its directory.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                var postmaster = PostmasterId();
                if (postmaster is not null)
                {
                    await RunAsync("kill", ["-INT", postmaster]);
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
        }
        finally
        {
            _process.Dispose();
            DeleteDirectory(_directory);
        }
    }

    private async Task WaitUntilReadyAsync(string pgIsReady)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL did not start on port {Port} (exited: {_process.HasExited}). Its output:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
            }

            using var check = Start(pgIsReady, ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", SystemUser, "-d", "postgres", "-t", "1"], asSystemUser: false, output: null);
            await check.WaitForExitAsync();
            if (check.ExitCode == 0)
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The postmaster's process id: the first line of <c>postmaster.pid</c> (under <c>runuser</c> it is not our child).</summary>
    private string? PostmasterId()
    {
        try
        {
            return File.ReadLines(Path.Combine(_directory, "data", "postmaster.pid")).FirstOrDefault()?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? FindBinDirectory()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : 0, Bin: Path.Combine(version, "bin")))
                .Where(candidate => File.Exists(Path.Combine(candidate.Bin, "initdb")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
                .FirstOrDefault()
            : null;
        return installed ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(directory => File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "postgres")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, string[] arguments, bool asSystemUser = false)
    {
        var output = new ConcurrentQueue<string>();
        using var process = Start(program, arguments, asSystemUser, output);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
        }
    }

    private static Process Start(string program, string[] arguments, bool asSystemUser, ConcurrentQueue<string>? output)
    {
        var runAs = asSystemUser && Environment.IsPrivilegedProcess;
        var start = new ProcessStartInfo(runAs ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (runAs)
        {
            foreach (var argument in new[] { "-u", SystemUser, "--", program })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        process.OutputDataReceived += (_, line) => Keep(output, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(output, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Keep(ConcurrentQueue<string>? output, string? line)
    {
        if (output is null || line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 200 && output.TryDequeue(out _))
        {
        }
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
