using System.Security.Claims;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

/// <summary>How the application under measurement authenticates.</summary>
internal enum AuthMode
{
    /// <summary>Plain cookie authentication, no tokens: the baseline.</summary>
    PlainCookie,

    /// <summary>Ellipsis Drive, tokens saved in the auth cookie.</summary>
    EllipsisDriveCookie,

    /// <summary>Ellipsis Drive, tickets on the server in the in-memory distributed cache.</summary>
    EllipsisDriveServerMemory,

    /// <summary>Ellipsis Drive, tickets on the server in Redis.</summary>
    EllipsisDriveServerRedis,

    /// <summary>ASP.NET Core's <c>AddOAuth</c>, configured by hand for Ellipsis Drive (see <see cref="HandConfiguredOAuth"/>).</summary>
    HandConfiguredOAuth,

    /// <summary>
    /// A reference, not a configuration to use: the cookie of <see cref="EllipsisDriveCookie"/> (the same sign-in, the
    /// same tokens), behind an endpoint that does not read the token. What the larger cookie costs by itself.
    /// </summary>
    EllipsisDriveCookieNoTokenRead,

    /// <summary>
    /// The peer of <see cref="EllipsisDriveServerRedis"/>: the same handler and token service, with the hand-written
    /// <see cref="DistributedCacheTicketStore"/> over Redis as the cookie's session store, the stored bytes protected with
    /// Data Protection.
    /// </summary>
    PeerTicketStoreRedisProtected,

    /// <summary>The same peer, the stored bytes not protected (as many blog posts write it).</summary>
    PeerTicketStoreRedisPlain,
}

/// <summary>
/// One application under measurement, on <see cref="TestServer"/> at <c>https://localhost/</c> (no sockets on the
/// application side), signing in against a shared emulator over real loopback HTTP. No logging providers: logging
/// cost is not what is measured.
/// </summary>
/// <remarks>
/// Endpoints: <c>/challenge</c> (the remote schemes), <c>/login-plain</c> (the baseline signs in the same claims
/// an Ellipsis Drive sign-in gives, without tokens), and <c>/api</c>, the protected endpoint: it requires an
/// authenticated user and, in the Ellipsis Drive modes, gets a valid access token from
/// <see cref="IEllipsisDriveTokenService"/> (what an app calling the Ellipsis Drive API does on each request);
/// it answers a short text, never the token.
/// </remarks>
internal sealed class BenchApp : IAsyncDisposable
{
    public const string ClientId = "bench-client";
    public const string ClientSecret = "bench-secret-5b7e";
    public const string HandClientId = "bench-hand-client";
    public const string HandCallbackPath = "/signin-handoauth";

    public static readonly Uri Origin = new("https://localhost/");

    private readonly WebApplication _app;

    private BenchApp(WebApplication app, AuthMode mode, CountingDistributedCache? cache)
    {
        _app = app;
        Mode = mode;
        Cache = cache;
        Server = app.GetTestServer();
        Server.BaseAddress = Origin;
    }

    public AuthMode Mode { get; }

    public TestServer Server { get; }

    /// <summary>Gets the counting cache of the server modes (reads per request), else <see langword="null"/>.</summary>
    public CountingDistributedCache? Cache { get; }

    /// <summary>Starts an application.</summary>
    /// <param name="mode">How it authenticates.</param>
    /// <param name="emulator">The emulator to sign in against.</param>
    /// <param name="time">The application's clock (a fake one lets the storm expire tokens).</param>
    /// <param name="redis">The Redis connection for <see cref="AuthMode.EllipsisDriveServerRedis"/>.</param>
    /// <param name="redisPrefix">The key prefix of this farm in Redis; nodes of one farm share it.</param>
    /// <param name="dataProtection">The Data Protection provider; nodes of one farm share it.</param>
    /// <returns>The started application.</returns>
    public static async Task<BenchApp> StartAsync(
        AuthMode mode,
        EllipsisDriveEmulator emulator,
        TimeProvider? time = null,
        IConnectionMultiplexer? redis = null,
        string? redisPrefix = null,
        IDataProtectionProvider? dataProtection = null)
    {
        time ??= TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(time);
        dataProtection ??= new EphemeralDataProtectionProvider();
        builder.Services.AddSingleton(dataProtection);
        builder.Services.AddRouting();
        builder.Services.AddAuthorization();

        var authentication = builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        CountingDistributedCache? cache = null;
        switch (mode)
        {
            case AuthMode.PlainCookie:
                break;
            case AuthMode.HandConfiguredOAuth:
                HandConfiguredOAuth.Add(authentication, emulator);
                break;
            default:
                emulator.RegisterClient(ClientId, ClientSecret, new Uri(Origin, EllipsisDriveDefaults.CallbackPath).AbsoluteUri);
                authentication.AddEllipsisDrive(options =>
                {
                    options.ClientId = ClientId;
                    options.ClientSecret = ClientSecret;
                    options.BaseAddress = emulator.BaseAddress;
                    options.TimeProvider = time;
                });
                builder.Services.AddEllipsisDriveTokens();
                if (mode is AuthMode.PeerTicketStoreRedisProtected or AuthMode.PeerTicketStoreRedisPlain)
                {
                    // What a farm user writes: Redis as the IDistributedCache, the hand-written store as the session store.
                    cache = new CountingDistributedCache(NewRedisCache(redis, redisPrefix));
                    builder.Services.AddSingleton<IDistributedCache>(cache);
                    var store = new DistributedCacheTicketStore(
                        cache,
                        mode == AuthMode.PeerTicketStoreRedisProtected ? dataProtection.CreateProtector("Peer.TicketStore") : null);
                    builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme).Configure(options => options.SessionStore = store);
                }
                else if (mode is not (AuthMode.EllipsisDriveCookie or AuthMode.EllipsisDriveCookieNoTokenRead))
                {
                    builder.Services.AddEllipsisDriveSessions();
                    IDistributedCache inner;
                    if (mode == AuthMode.EllipsisDriveServerRedis)
                    {
                        inner = NewRedisCache(redis, redisPrefix);
                        builder.Services.AddEllipsisDriveRedisRefreshLock(redis!);
                    }
                    else
                    {
                        inner = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
                    }

                    cache = new CountingDistributedCache(inner);
                    builder.Services.AddSingleton<IDistributedCache>(cache);
                }

                break;
        }

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        var remoteScheme = mode == AuthMode.HandConfiguredOAuth ? HandConfiguredOAuth.Scheme : EllipsisDriveDefaults.AuthenticationScheme;
        app.MapGet("/challenge", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/api" }, [remoteScheme]));
        app.MapGet("/login-plain", async (HttpContext context) =>
        {
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AlicePrincipal());
            return Results.Text("signed-in");
        });

        if (mode is AuthMode.PlainCookie or AuthMode.HandConfiguredOAuth or AuthMode.EllipsisDriveCookieNoTokenRead)
        {
            app.MapGet("/api", (ClaimsPrincipal user) => Results.Text("hello " + user.Identity!.Name)).RequireAuthorization();
        }
        else
        {
            app.MapGet("/api", async (HttpContext context, ClaimsPrincipal user, IEllipsisDriveTokenService tokens) =>
            {
                var token = await tokens.GetAccessTokenAsync(context, context.RequestAborted);
                return Results.Text("hello " + user.Identity!.Name + " " + token.Length);
            }).RequireAuthorization();
        }

        await app.StartAsync();
        return new BenchApp(app, mode, cache);
    }

    private static RedisCache NewRedisCache(IConnectionMultiplexer? redis, string? prefix)
    {
        var connection = redis ?? throw new InvalidOperationException("The Redis modes need a connection.");
        return new RedisCache(new RedisCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult(connection),
            InstanceName = prefix ?? "bench:",
        });
    }

    /// <summary>The claims an Ellipsis Drive sign-in of the emulator's <c>alice</c> gives, for the baseline.</summary>
    /// <returns>The principal.</returns>
    public static ClaimsPrincipal AlicePrincipal()
    {
        var alice = new EllipsisDriveEmulatorOptions().Users[0];
        const string Issuer = EllipsisDriveDefaults.AuthenticationScheme;
        return new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, alice.Username, ClaimValueTypes.String, Issuer),
                new Claim(EllipsisDriveClaimTypes.Username, alice.Username, ClaimValueTypes.String, Issuer),
                new Claim(ClaimTypes.Email, alice.Email!, ClaimValueTypes.String, Issuer),
                new Claim(EllipsisDriveClaimTypes.DisplayName, alice.Name!, ClaimValueTypes.String, Issuer),
                new Claim(EllipsisDriveClaimTypes.Plan, alice.PlanType, ClaimValueTypes.String, Issuer),
                new Claim(EllipsisDriveClaimTypes.Disabled, "false", ClaimValueTypes.String, Issuer),
                new Claim(ClaimTypes.NameIdentifier, alice.Id, ClaimValueTypes.String, Issuer),
            ],
            EllipsisDriveDefaults.AuthenticationScheme));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
