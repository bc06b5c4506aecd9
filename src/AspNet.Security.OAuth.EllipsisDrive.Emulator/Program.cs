using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

/// <summary>
/// Runs the emulator standalone:
/// <c>--port 5080 --client-id demo --client-secret demo-secret --redirect-uri http://localhost:5000/signin-ellipsisdrive</c>
/// (<c>--redirect-uri</c> may repeat). Stops on Ctrl+C.
/// </summary>
internal static class Program
{
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
                default:
                    await Console.Error.WriteLineAsync(
                        "Usage: --port <port> --client-id <id> --client-secret <secret> --redirect-uri <uri> [--redirect-uri <uri> ...]").ConfigureAwait(false);
                    return 2;
            }
        }

        if ((clientId is null) != (clientSecret is null))
        {
            await Console.Error.WriteLineAsync("--client-id and --client-secret go together.").ConfigureAwait(false);
            return 2;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        var options = new EllipsisDriveEmulatorOptions { Port = port, LoggerFactory = loggerFactory };
        var emulator = await EllipsisDriveEmulator.StartAsync(options).ConfigureAwait(false);
        await using var stopEmulator = emulator.ConfigureAwait(false);
        if (clientId is not null)
        {
            emulator.RegisterClient(clientId, clientSecret!, [.. redirectUris]);
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };

        Console.WriteLine(emulator.BaseAddress);
        await stop.Task.ConfigureAwait(false);
        return 0;
    }
}
