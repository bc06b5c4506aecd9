using System.Globalization;
using System.Security.Claims;
using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.EllipsisDrive.Farm;

/// <summary>
/// One node of the farm, built on the packages only: cookie + Ellipsis Drive handler, server-side sessions on Redis,
/// Data Protection keys and the refresh lock on Redis, users' grants in PostgreSQL, an API-backed endpoint, and a worker
/// that calls the API for the users connected for background work.
/// </summary>
internal static class NodeApp
{
    private const string ConnectedSet = "farm:connected";

    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(FarmUsers.Arg(args, "--port"), CultureInfo.InvariantCulture);
        var redisPort = FarmUsers.Arg(args, "--redis-port");
        var postgres = FarmUsers.Arg(args, "--postgres");
        var emulator = new Uri(FarmUsers.Arg(args, "--emulator"));
        var refreshBefore = TimeSpan.FromSeconds(double.Parse(FarmUsers.Arg(args, "--refresh-before-seconds", "10"), CultureInfo.InvariantCulture));
        var storeFailure = Enum.Parse<EllipsisDriveSessionStoreFailureBehavior>(FarmUsers.Arg(args, "--store-failure", nameof(EllipsisDriveSessionStoreFailureBehavior.ServiceUnavailable)));
        var postgresRetry = FarmUsers.Arg(args, "--postgres-retry", "false") == "true";
        var workerPeriod = TimeSpan.FromSeconds(double.Parse(FarmUsers.Arg(args, "--worker-seconds", "2"), CultureInfo.InvariantCulture));

        // Short timeouts so that an outage is noticed within the session store's OperationTimeout (docs/tokens.md).
        var redisOptions = ConfigurationOptions.Parse("127.0.0.1:" + redisPort);
        redisOptions.AbortOnConnectFail = false;
        redisOptions.ConnectTimeout = 1000;
        redisOptions.SyncTimeout = 500;
        redisOptions.AsyncTimeout = 500;
        // After a Redis restart, reconnect within a fraction of a second instead of the client's default backoff.
        redisOptions.ReconnectRetryPolicy = new LinearRetry(250);
        redisOptions.HeartbeatInterval = TimeSpan.FromMilliseconds(250);
        var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(3));

        builder.Services.AddSingleton<IConnectionMultiplexer>(redis);
        builder.Services.AddDataProtection().SetApplicationName("ellipsisdrive-farm").PersistKeysToStackExchangeRedis(redis, "farm:data-protection-keys");
        builder.Services.AddStackExchangeRedisCache(options =>
        {
            options.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(redis);
            options.InstanceName = "farm:";
        });

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = EllipsisDriveDefaults.AuthenticationScheme;
            })
            .AddCookie(options => options.ExpireTimeSpan = TimeSpan.FromHours(1))
            .AddEllipsisDrive(options =>
            {
                options.ClientId = FarmUsers.ClientId;
                options.ClientSecret = FarmUsers.ClientSecret;
                options.BaseAddress = emulator;
                // The farm is plain HTTP on loopback (nginx without TLS): the state cookie cannot be Secure.
                options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddEllipsisDriveTokens(options => options.RefreshBeforeExpiry = refreshBefore);
        builder.Services.AddEllipsisDriveSessions(options => options.StoreFailureBehavior = storeFailure);
        builder.Services.AddEllipsisDriveEntityFrameworkCoreStore(options => options.UseNpgsql(
            postgres,
            npgsql =>
            {
                if (postgresRetry)
                {
                    // EF Core's retrying execution strategy: a command that meets a dropped or refused connection is run
                    // again (up to 4 times within about 2 s), which rides out a PostgreSQL restart and the pool's dead connections.
                    npgsql.EnableRetryOnFailure(4, TimeSpan.FromMilliseconds(500), null);
                }
            }));
        builder.Services.AddEllipsisDriveRedisRefreshLock(redis);
        builder.Services.AddEllipsisDriveApiClient();
        builder.Services.AddSingleton(new WorkerSettings(workerPeriod));
        builder.Services.AddHostedService<ConnectedUsersWorker>();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseEllipsisDriveSignInRequired();

        app.MapGet("/healthz", () => "ok");
        app.MapGet("/login", (bool? background) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = background == true ? "/signed-in?background=true" : "/signed-in" },
            [EllipsisDriveDefaults.AuthenticationScheme]));
        app.MapGet("/signed-in", async (HttpContext context, bool? background, IConnectionMultiplexer redis) =>
        {
            var key = context.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
            if (background == true)
            {
                await redis.GetDatabase().SetAddAsync(ConnectedSet, key);
            }

            return Results.Text("signed in");
        }).RequireAuthorization();
        app.MapGet("/api/drive", async (EllipsisDriveApiClient drive, CancellationToken cancellationToken) =>
        {
            var account = await drive.GetAccountAsync(cancellationToken);
            return Results.Json(new { account = account.Username });
        }).RequireAuthorization();

        // Figures for the driver; loopback only (Kestrel listens on 127.0.0.1), answered by each node directly, not via nginx.
        app.MapGet("/farm/stats", () => Results.Json(WorkerCounters.Snapshot()));
        app.MapGet("/farm/grants", async (int users, IEllipsisDriveTokenStore store, CancellationToken cancellationToken) =>
        {
            List<int> reconnect = [], missing = [];
            for (var i = 0; i < users; i++)
            {
                var grant = await store.GetAsync(EllipsisDriveDefaults.AuthenticationScheme, FarmUsers.Id(i), cancellationToken);
                if (grant is null)
                {
                    missing.Add(i);
                }
                else if (grant.ReconnectRequired || grant.RefreshToken is null)
                {
                    reconnect.Add(i);
                }
            }

            return Results.Json(new GrantFigures(reconnect, missing));
        });
        app.MapPost("/farm/pressure", (int seconds, int threads) =>
        {
            // Work items that block their thread-pool thread, as a client doing sync-over-async on a stalled socket does.
            for (var i = 0; i < threads; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => Thread.Sleep(TimeSpan.FromSeconds(seconds)), null);
            }

            return Results.Text("pressure");
        });

        await app.RunAsync();
        return 0;
    }

    internal sealed record WorkerSettings(TimeSpan Period);

    /// <summary>The users (by index) whose grant needs a new sign-in, and those who have none.</summary>
    internal sealed record GrantFigures(List<int> ReconnectRequired, List<int> Missing);

    internal static class WorkerCounters
    {
        private static long s_ok;
        private static long s_signInRequired;
        private static long s_transient;
        private static long s_failed;

        public static void Ok() => Interlocked.Increment(ref s_ok);

        public static void SignInRequired() => Interlocked.Increment(ref s_signInRequired);

        public static void Transient() => Interlocked.Increment(ref s_transient);

        public static void Failed() => Interlocked.Increment(ref s_failed);

        public static Dictionary<string, long> Snapshot() => new()
        {
            ["ok"] = Interlocked.Read(ref s_ok),
            ["signInRequired"] = Interlocked.Read(ref s_signInRequired),
            ["transient"] = Interlocked.Read(ref s_transient),
            ["failed"] = Interlocked.Read(ref s_failed),
        };
    }

    /// <summary>Calls the API for every user connected for background work (the set the sign-in wrote), on every node.</summary>
    internal sealed class ConnectedUsersWorker(IServiceScopeFactory scopes, IConnectionMultiplexer redis, WorkerSettings settings, ILogger<ConnectedUsersWorker> logger) : BackgroundService
    {
        private string[] _known = [];

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(settings.Period);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    _known = [.. (await redis.GetDatabase().SetMembersAsync(ConnectedSet)).Select(member => member.ToString())];
                }
                catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
                {
                    // Redis is down: keep acting for the users known so far.
                }

                await using var scope = scopes.CreateAsyncScope();
                var drive = scope.ServiceProvider.GetRequiredService<EllipsisDriveApiClient>();
                foreach (var userKey in _known)
                {
                    try
                    {
                        await drive.ForUser(userKey).GetAccountAsync(stoppingToken);
                        WorkerCounters.Ok();
                    }
                    catch (EllipsisDriveSignInRequiredException)
                    {
                        WorkerCounters.SignInRequired();
                    }
                    catch (EllipsisDriveTokenException exception) when (exception.IsTransient)
                    {
                        WorkerCounters.Transient();
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        WorkerCounters.Failed();
                        logger.LogWarning("Background call failed: {Kind}", exception.GetType().Name);
                    }
                }
            }
        }
    }
}
