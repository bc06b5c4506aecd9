using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tool;

/// <summary>
/// Runs the emulator standalone:
/// <c>--port 5080 --client-id demo --client-secret demo-secret --redirect-uri http://localhost:5000/signin-ellipsisdrive</c>
/// (<c>--redirect-uri</c> may repeat). Prints its base address on stdout (logs go to stderr), then stops, with exit code 0, on Ctrl+C (SIGINT),
/// SIGTERM (<c>docker stop</c>, systemd, <c>kill</c>) or SIGQUIT.
/// </summary>
internal static class Program
{
    private const string Usage = "Usage: ellipsisdrive-emulator [--port <port>] [--client-id <id> --client-secret <secret>] [--redirect-uri <uri> ...]";

    private static async Task<int> Main(string[] args)
    {
        var port = 0;
        string? clientId = null;
        string? clientSecret = null;
        var redirectUris = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port):
                case "--client-id" when (clientId = value) is not null:
                case "--client-secret" when (clientSecret = value) is not null:
                    i++;
                    break;
                case "--redirect-uri" when value is not null:
                    redirectUris.Add(value);
                    i++;
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
                    return 2;
            }
        }

        if ((clientId is null) != (clientSecret is null))
        {
            await Console.Error.WriteLineAsync("--client-id and --client-secret go together.").ConfigureAwait(false);
            return 2;
        }

        // Registered before the emulator starts, so that a signal during start-up also stops it cleanly.
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Stop(PosixSignalContext context)
        {
            // Cancel the default (terminate the process): the emulator is disposed and Main returns 0.
            context.Cancel = true;
            stop.TrySetResult();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);

        // Logs on stderr: stdout carries the base address alone, for scripts to read.
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        var options = new EllipsisDriveEmulatorOptions { Port = port, LoggerFactory = loggerFactory };
        var emulator = await EllipsisDriveEmulator.StartAsync(options).ConfigureAwait(false);
        await using (emulator.ConfigureAwait(false))
        {
            if (clientId is not null)
            {
                emulator.RegisterClient(clientId, clientSecret!, [.. redirectUris]);
            }

            Console.WriteLine(emulator.BaseAddress);
            await stop.Task.ConfigureAwait(false);
        }

        return 0;
    }
}
