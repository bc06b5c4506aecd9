using System.Globalization;
using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Farm;

/// <summary>
/// Ellipsis Drive's emulator as a separate process: short access-token lifetimes, rotating refresh tokens, the farm's
/// users, and a control endpoint (its own loopback port) to start and stop the token endpoint's 503 and to read figures
/// counted from the emulator's recorded requests.
/// </summary>
internal static class EmulatorApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(FarmUsers.Arg(args, "--port"), CultureInfo.InvariantCulture);
        var controlPort = int.Parse(FarmUsers.Arg(args, "--control-port"), CultureInfo.InvariantCulture);
        var users = int.Parse(FarmUsers.Arg(args, "--users"), CultureInfo.InvariantCulture);
        var lifetime = TimeSpan.FromSeconds(double.Parse(FarmUsers.Arg(args, "--access-token-seconds", "30"), CultureInfo.InvariantCulture));
        var redirectUri = FarmUsers.Arg(args, "--redirect-uri");

        var options = new EllipsisDriveEmulatorOptions { Port = port, AccessTokenLifetime = lifetime, RotateRefreshTokens = true };
        options.Users.Clear();
        for (var i = 0; i < users; i++)
        {
            options.Users.Add(new EmulatorUser(FarmUsers.Id(i), FarmUsers.Name(i)));
        }

        await using var emulator = await EllipsisDriveEmulator.StartAsync(options);
        emulator.RegisterClient(FarmUsers.ClientId, FarmUsers.ClientSecret, redirectUri);

        var windows = new List<(DateTimeOffset Start, DateTimeOffset? End)>();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, controlPort));
        builder.Logging.ClearProviders();
        var control = builder.Build();
        control.MapGet("/healthz", () => "ok");
        control.MapPost("/fault/start", () =>
        {
            lock (windows)
            {
                // The window opens before the fault and closes after it is cleared, so no faulted request falls outside it.
                windows.Add((DateTimeOffset.UtcNow, null));
                emulator.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault
                {
                    StatusCode = StatusCodes.Status503ServiceUnavailable,
                    Body = """{"error":"temporarily_unavailable"}""",
                    Times = 0,
                });
            }

            return "fault on";
        });
        control.MapPost("/fault/stop", () =>
        {
            lock (windows)
            {
                emulator.ClearFaults();
                windows[^1] = (windows[^1].Start, DateTimeOffset.UtcNow);
            }

            return "fault off";
        });
        control.MapGet("/figures", () =>
        {
            (DateTimeOffset Start, DateTimeOffset? End)[] faults;
            lock (windows)
            {
                faults = [.. windows];
            }

            return Results.Json(Figures.Count(emulator.Requests, faults));
        });

        await control.RunAsync();
        return 0;
    }

    internal sealed record Figures(
        int AuthorizationCodeExchanges,
        int RefreshRequests,
        int RefreshRequestsAnsweredByFault,
        int DistinctRefreshTokensSent,
        int RefreshTokensRedeemedMoreThanOnce,
        int ApiRequests)
    {
        /// <summary>
        /// A refresh token sent in two or more refresh requests that reached the token endpoint (not answered by the
        /// injected 503, which redeems nothing) was redeemed more than once: with rotation, every use after the first
        /// is an <c>invalid_grant</c> at Ellipsis Drive. The tokens themselves never leave this method.
        /// </summary>
        public static Figures Count(IReadOnlyList<RecordedRequest> requests, IReadOnlyList<(DateTimeOffset Start, DateTimeOffset? End)> faults)
        {
            var uses = new Dictionary<string, int>(StringComparer.Ordinal);
            int codes = 0, refreshes = 0, faulted = 0, api = 0;
            foreach (var request in requests)
            {
                switch (request.Endpoint)
                {
                    case EmulatorEndpoint.TokenAuthorizationCode:
                        codes++;
                        break;
                    case EmulatorEndpoint.TokenRefresh:
                        refreshes++;
                        if (faults.Any(window => request.Timestamp >= window.Start && (window.End is null || request.Timestamp <= window.End)))
                        {
                            faulted++;
                        }
                        else if (request.Parameters.TryGetValue("refresh_token", out var token))
                        {
                            uses[token] = uses.GetValueOrDefault(token) + 1;
                        }

                        break;
                    case EmulatorEndpoint.Account or EmulatorEndpoint.ListRoot or EmulatorEndpoint.Path:
                        api++;
                        break;
                }
            }

            return new Figures(codes, refreshes, faulted, uses.Count, uses.Values.Count(count => count > 1), api);
        }
    }
}
