using System.Globalization;

namespace AspNet.Security.OAuth.EllipsisDrive.Farm;

/// <summary>The farm's users and the settings every process agrees on.</summary>
internal static class FarmUsers
{
    /// <summary>The OAuth client id registered at the emulator (a test value, not a secret).</summary>
    public const string ClientId = "farm";

    /// <summary>Every fourth user is connected for background work.</summary>
    public static bool IsBackground(int index) => index % 4 == 0;

    public static string Id(int index) => "00000000-0000-4000-8000-" + index.ToString("D12", CultureInfo.InvariantCulture);

    public static string Name(int index) => "user" + index.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>The client secret comes from the environment (set by the driver, random per run), never the command line.</summary>
    public static string ClientSecret => Environment.GetEnvironmentVariable("FARM_CLIENT_SECRET")
        ?? throw new InvalidOperationException("FARM_CLIENT_SECRET is not set: start the farm with `farm run`.");

    public static string Arg(string[] args, string name, string? fallback = null)
    {
        var index = Array.IndexOf(args, name);
        if (index >= 0 && index + 1 < args.Length)
        {
            return args[index + 1];
        }

        return fallback ?? throw new ArgumentException($"Missing {name}.");
    }
}
