using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace WebApp;

/// <summary>The one line a person needs at start-up: which URL to open. The in-process emulator's own address is not it.</summary>
internal static partial class StartupMessage
{
    public static void Log(ILogger logger, IServer server, bool emulator)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var url = PreferredUrl(addresses);
        if (url is null)
        {
            return;
        }

        if (emulator)
        {
            LogOpenEmulatorMode(logger, url);
        }
        else
        {
            LogOpen(logger, url);
        }
    }

    /// <summary>
    /// The address to open in a browser: HTTPS before HTTP, <c>localhost</c> and IPv4 first, and a wildcard binding (<c>http://+:80</c>,
    /// <c>http://[::]:80</c>) as <c>localhost</c>, the name the callback is registered under.
    /// </summary>
    public static string? PreferredUrl(IEnumerable<string> addresses)
    {
        var urls = addresses
            .Select(a => Uri.TryCreate(a.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri : null)
            .OfType<Uri>()
            .Select(uri => uri.Host is "0.0.0.0" or "[::]" or "::" ? new UriBuilder(uri) { Host = "localhost" }.Uri : uri)
            .OrderByDescending(uri => uri.Scheme == Uri.UriSchemeHttps)
            .ThenByDescending(uri => uri.Host == "localhost")
            .ThenByDescending(uri => uri.HostNameType == UriHostNameType.IPv4)
            .ToList();
        return urls.Count == 0 ? null : urls[0].GetLeftPart(UriPartial.Authority) + "/";
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Open {Url} in your browser. Emulator mode: no Ellipsis Drive client is configured, so sign-in runs on the built-in emulator (users alice and bob).")]
    private static partial void LogOpenEmulatorMode(ILogger logger, string url);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Open {Url} in your browser.")]
    private static partial void LogOpen(ILogger logger, string url);
}
