using System.Globalization;

namespace AspNet.Security.OAuth.EllipsisDrive.Farm;

/// <summary>
/// The farm: <c>run</c> (the driver: starts nginx, two nodes, Redis, PostgreSQL and the emulator, puts load on them,
/// injects faults one at a time and prints the figures), <c>node</c> (the app built on the package) and
/// <c>emulator</c> (Ellipsis Drive's emulator with a control endpoint). The driver starts the other two itself.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var mode = args.Length > 0 ? args[0] : "run";
        var rest = args.Skip(1).ToArray();
        return mode switch
        {
            "node" => await NodeApp.RunAsync(rest),
            "emulator" => await EmulatorApp.RunAsync(rest),
            "run" => await Driver.RunAsync(rest),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("Usage: farm run [--users 200] [--think-ms 1500] [--baseline-seconds 10] [--recovery-seconds 8] [--long] [--store-failure SignedOut|ServiceUnavailable] [--postgres-retry] [--faults a,b] [--out DIR] (see docs/reliability.md); `node` and `emulator` are started by `run`");
        return 2;
    }
}
