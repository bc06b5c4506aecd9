using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AspNet.Security.OAuth.EllipsisDrive.Farm;

/// <summary>
/// Starts and stops the farm's processes on loopback ports, each by its process id. Every process started is tracked
/// (and its id appended to <c>FARM_PIDFILE</c> when set, for the shell script's trap); <see cref="DisposeAsync"/> stops
/// every one still running, also after a failure.
/// </summary>
internal sealed class Infrastructure : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly string? _pidFile = Environment.GetEnvironmentVariable("FARM_PIDFILE");
    private readonly string _secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    private string? _postgresBin;
    private Process? _postgres;

    public Infrastructure(int users, double accessTokenSeconds, double refreshBeforeSeconds, string[] nodeOptions)
    {
        NodeOptions = nodeOptions;
        Users = users;
        AccessTokenSeconds = accessTokenSeconds;
        RefreshBeforeSeconds = refreshBeforeSeconds;
        Root = Directory.CreateTempSubdirectory("ellipsisdrive-farm-").FullName;
        File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        NginxPort = FreePort();
        NodePorts = [FreePort(), FreePort()];
        RedisPort = FreePort();
        PostgresPort = FreePort();
        EmulatorPort = FreePort();
        ControlPort = FreePort();
    }

    public string Root { get; }

    /// <summary>Extra options for both nodes (<c>--store-failure</c>, <c>--postgres-retry</c>).</summary>
    public string[] NodeOptions { get; }

    public int Users { get; }

    public double AccessTokenSeconds { get; }

    public double RefreshBeforeSeconds { get; }

    public int NginxPort { get; }

    public int[] NodePorts { get; }

    public int RedisPort { get; }

    public int PostgresPort { get; }

    public int EmulatorPort { get; }

    public int ControlPort { get; }

    public Process?[] Nodes { get; } = new Process?[2];

    public Process? Redis { get; private set; }

    public Process? Nginx { get; private set; }

    public Uri Farm => new($"http://127.0.0.1:{NginxPort}/");

    public Uri Control => new($"http://127.0.0.1:{ControlPort}/");

    public Uri NodeAddress(int node) => new($"http://127.0.0.1:{NodePorts[node]}/");

    public string PostgresConnectionString =>
        $"Host=127.0.0.1;Port={PostgresPort};Username=postgres;Database=postgres;Timeout=3;Command Timeout=5;Maximum Pool Size=50";

    public async Task StartAllAsync()
    {
        await StartRedisAsync();
        await InitPostgresAsync();
        await StartPostgresAsync();
        await StartEmulatorAsync();
        await StartNodeAsync(0);
        await StartNodeAsync(1);
        await StartNginxAsync();
    }

    public async Task StartRedisAsync()
    {
        var directory = Directory.CreateDirectory(Path.Combine(Root, "redis")).FullName;
        Redis = Start("redis-server", ["--port", Str(RedisPort), "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes", "--appendfsync", "everysec", "--save", string.Empty, "--protected-mode", "yes"], "redis");
        await WaitAsync("redis", () => RedisPingAsync(RedisPort), Redis, TimeSpan.FromSeconds(10));
    }

    /// <summary>Graceful stop (SIGTERM: Redis writes its append-only file) and wait.</summary>
    public async Task StopRedisAsync()
    {
        await SignalAsync(Redis!, "TERM");
        await Redis!.WaitForExitAsync();
    }

    public Task SignalRedisAsync(string signal) => SignalAsync(Redis!, signal);

    private async Task InitPostgresAsync()
    {
        _postgresBin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order().LastOrDefault()
            : null;
        if (_postgresBin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb).");
        }

        var directory = Directory.CreateDirectory(Path.Combine(Root, "postgres")).FullName;
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["postgres", directory]);
        }

        await RunAsync(Path.Combine(_postgresBin, "initdb"), ["-D", Path.Combine(directory, "data"), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"], asPostgres: true);
    }

    public async Task StartPostgresAsync()
    {
        var directory = Path.Combine(Root, "postgres");
        _postgres = Start(
            Path.Combine(_postgresBin!, "postgres"),
            ["-D", Path.Combine(directory, "data"), "-p", Str(PostgresPort), "-k", directory, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
            "postgres",
            asPostgres: true);
        await WaitAsync("postgres", async () =>
        {
            using var check = Start(Path.Combine(_postgresBin!, "pg_isready"), ["-h", "127.0.0.1", "-p", Str(PostgresPort), "-U", "postgres", "-t", "1"], null);
            await check.WaitForExitAsync();
            return check.ExitCode == 0;
        }, _postgres, TimeSpan.FromSeconds(30));
    }

    /// <summary>Fast shutdown: SIGINT to the postmaster (its id from postmaster.pid: under runuser it is not our child).</summary>
    public async Task StopPostgresAsync()
    {
        var pidFile = Path.Combine(Root, "postgres", "data", "postmaster.pid");
        var postmaster = File.Exists(pidFile) ? File.ReadLines(pidFile).FirstOrDefault()?.Trim() : null;
        if (postmaster is not null)
        {
            await RunAsync("kill", ["-INT", postmaster]);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _postgres!.WaitForExitAsync(timeout.Token);
    }

    private async Task StartEmulatorAsync()
    {
        var emulator = StartSelf(
            ["emulator", "--port", Str(EmulatorPort), "--control-port", Str(ControlPort), "--users", Str(Users),
             "--access-token-seconds", Str(AccessTokenSeconds), "--redirect-uri", $"http://127.0.0.1:{NginxPort}/signin-ellipsisdrive"],
            "emulator");
        await WaitAsync("emulator", () => HttpOkAsync(new Uri(Control, "healthz")), emulator, TimeSpan.FromSeconds(30));
    }

    public async Task StartNodeAsync(int node)
    {
        var process = StartSelf(
            ["node", "--port", Str(NodePorts[node]), "--redis-port", Str(RedisPort), "--postgres", PostgresConnectionString,
             "--emulator", $"http://127.0.0.1:{EmulatorPort}/v3/", "--refresh-before-seconds", Str(RefreshBeforeSeconds), .. NodeOptions],
            "node" + (char)('a' + node));
        Nodes[node] = process;
        await WaitAsync("node " + node, () => HttpOkAsync(new Uri(NodeAddress(node), "healthz")), process, TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGKILL: no shutdown of any kind.</summary>
    public async Task KillNodeAsync(int node)
    {
        Nodes[node]!.Kill();
        await Nodes[node]!.WaitForExitAsync();
    }

    private async Task StartNginxAsync()
    {
        var directory = Directory.CreateDirectory(Path.Combine(Root, "nginx")).FullName;
        var temp = Directory.CreateDirectory(Path.Combine(directory, "temp")).FullName;
        // The workers run as nobody when the master is root: their temporary files go to a directory they can write.
        File.SetUnixFileMode(temp, (UnixFileMode)0x1FF);
        var config = $$"""
            worker_processes 1;
            error_log {{directory}}/error.log warn;
            pid {{directory}}/nginx.pid;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path {{temp}}/body;
                proxy_temp_path {{temp}}/proxy;
                fastcgi_temp_path {{temp}}/fastcgi;
                uwsgi_temp_path {{temp}}/uwsgi;
                scgi_temp_path {{temp}}/scgi;
                upstream farm {
                    server 127.0.0.1:{{NodePorts[0]}} max_fails=1 fail_timeout=2s;
                    server 127.0.0.1:{{NodePorts[1]}} max_fails=1 fail_timeout=2s;
                    keepalive 64;
                }
                server {
                    listen 127.0.0.1:{{NginxPort}};
                    # Inherited by both locations.
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $http_host;
                    proxy_next_upstream error timeout;
                    proxy_connect_timeout 1s;
                    proxy_read_timeout 30s;
                    # The callback's query carries the authorization code: nginx names the request in its upstream
                    # errors, so that location logs nothing below crit.
                    location = /signin-ellipsisdrive {
                        error_log {{directory}}/error.log crit;
                        proxy_pass http://farm;
                    }
                    location / {
                        proxy_pass http://farm;
                    }
                }
            }
            """;
        var file = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(file, config);
        Nginx = Start("nginx", ["-p", directory, "-c", file, "-g", "daemon off;"], "nginx");
        await WaitAsync("nginx", () => HttpOkAsync(new Uri(Farm, "healthz")), Nginx, TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// The driver was asked to stop (SIGTERM, Ctrl+C) and its <c>finally</c> will not run: kill what is still running,
    /// synchronously, by process id. PostgreSQL gets its fast shutdown.
    /// </summary>
    public void KillAll()
    {
        var pidFile = Path.Combine(Root, "postgres", "data", "postmaster.pid");
        if (File.Exists(pidFile) && File.ReadLines(pidFile).FirstOrDefault()?.Trim() is { } postmaster)
        {
            using var stop = Process.Start("kill", ["-INT", postmaster]);
            stop.WaitForExit();
        }

        lock (_processes)
        {
            foreach (var process in _processes)
            {
                try
                {
                    if (!process.HasExited)
                    {
                        using var resume = Process.Start("kill", ["-CONT", Str(process.Id)]);
                        resume.WaitForExit();
                        process.Kill(entireProcessTree: true);
                    }
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // nginx first (no new requests), then the nodes, the emulator, Redis (resumed in case it was stopped), PostgreSQL.
        if (Redis is { HasExited: false })
        {
            await TryAsync(() => SignalAsync(Redis, "CONT"));
        }

        if (_postgres is { HasExited: false })
        {
            await TryAsync(StopPostgresAsync);
        }

        foreach (var process in _processes.AsEnumerable().Reverse())
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        // The logs stay for a closer look; the data (protected sessions and grants, the key ring) does not.
        foreach (var data in new[] { "postgres", "redis" })
        {
            try
            {
                Directory.Delete(Path.Combine(Root, data), recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private static async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
        }
    }

    public static Task SignalAsync(Process process, string signal) => RunAsync("kill", ["-" + signal, Str(process.Id)]);

    private Process StartSelf(string[] arguments, string log)
    {
        var host = Environment.ProcessPath!;
        var viaDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        string[] all = viaDotnet ? [typeof(Program).Assembly.Location, .. arguments] : arguments;
        return Start(host, all, log);
    }

    private Process Start(string program, string[] arguments, string? log, bool asPostgres = false)
    {
        var runAs = asPostgres && Environment.IsPrivilegedProcess;
        var start = new ProcessStartInfo(runAs ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (runAs)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["FARM_CLIENT_SECRET"] = _secret;
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException(program + " did not start.");
        var writer = log is null ? null : new StreamWriter(Path.Combine(Root, log + ".log"), append: true, Encoding.UTF8) { AutoFlush = true };
        process.OutputDataReceived += (_, line) => Write(writer, line.Data);
        process.ErrorDataReceived += (_, line) => Write(writer, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (log is not null)
        {
            lock (_processes)
            {
                _processes.Add(process);
            }

            if (_pidFile is not null)
            {
                // With a word of its command line (the run's directory or its port), so that the script's trap never
                // signals a process that merely reused the id.
                var port = Array.IndexOf(arguments, "--port");
                var marker = arguments.Any(argument => argument.Contains(Root, StringComparison.Ordinal)) ? Root
                    : port >= 0 && port + 1 < arguments.Length ? arguments[port + 1] : program;
                File.AppendAllText(_pidFile, $"{process.Id} {marker}{Environment.NewLine}");
            }
        }

        return process;
    }

    private static void Write(StreamWriter? writer, string? line)
    {
        if (writer is null || line is null)
        {
            return;
        }

        lock (writer)
        {
            writer.WriteLine(line);
        }
    }

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres = false)
    {
        var start = new ProcessStartInfo(asPostgres && Environment.IsPrivilegedProcess ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && Environment.IsPrivilegedProcess)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static async Task WaitAsync(string name, Func<Task<bool>> ready, Process process, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await ready())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{name} did not start (exited: {process.HasExited}); see its log in the run directory.");
            }

            await Task.Delay(100);
        }
    }

    private static readonly HttpClient s_probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    public static async Task<bool> HttpOkAsync(Uri uri)
    {
        try
        {
            using var response = await s_probe.GetAsync(uri);
            return response.IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public static async Task<bool> RedisPingAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
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

    private static string Str(double value) => value.ToString(CultureInfo.InvariantCulture);
}
