using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// A minimal app for the token tests: a cookie scheme, the Ellipsis Drive scheme pointed at the emulator, the token
/// service, and endpoints that challenge, read the token (answering only its fingerprint), call the API, and sign out.
/// A browser signs in through the handler as a user would (<see cref="SignInAsync"/>), so the tokens the token service
/// reads are the ones the handler saved.
/// </summary>
internal sealed class TokenTestHost : IAsyncDisposable
{
    public const string ClientId = "tokens-client";
    public const string ClientSecret = "tokens-secret";

    // https: the handler's state cookie is Secure, and a browser sends it back over https only.
    public static readonly Uri Origin = new("https://app.example/");
    public static readonly string RedirectUri = new Uri(Origin, EllipsisDriveDefaults.CallbackPath).AbsoluteUri;

    private const string ChallengePath = "/test/challenge";

    private readonly WebApplication _app;
    private readonly EllipsisDriveEmulator _drive;

    private TokenTestHost(WebApplication app, EllipsisDriveEmulator drive)
    {
        _app = app;
        _drive = drive;
    }

    public IServiceProvider Services => _app.Services;

    public TestServer Server => _app.GetTestServer();

    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public int RefreshFailedEvents { get; private set; }

    public bool SignOutOnRefreshFailure { get; set; } = true;

    /// <summary>Gets the OnRefreshFailed events raised, in order.</summary>
    public ConcurrentQueue<EllipsisDriveRefreshFailedContext> RefreshFailures { get; } = new();

    /// <summary>Gets the OnTokensRefreshed events raised, in order.</summary>
    public ConcurrentQueue<EllipsisDriveTokensRefreshedContext> Refreshes { get; } = new();

    /// <summary>Completed when a request to <c>/test/token-after-gate</c> has been authenticated and waits at the gate.</summary>
    public TaskCompletionSource AtGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets the request waiting at <c>/test/token-after-gate</c> go on and ask for a token.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<TokenTestHost> StartAsync(
        EllipsisDriveEmulator drive,
        TimeProvider time,
        bool serverMode,
        Action<IServiceCollection>? configureServices = null)
    {
        drive.RegisterClient(ClientId, ClientSecret, RedirectUri);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer(server => server.BaseAddress = Origin);
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton(time);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie()
            .AddEllipsisDrive(options =>
            {
                options.ClientId = ClientId;
                options.ClientSecret = ClientSecret;
                options.BaseAddress = drive.BaseAddress;
                options.CallbackPath = new Uri(RedirectUri).AbsolutePath;
                options.Backchannel = new HttpClient(new SocketsHttpHandler { UseProxy = false });

                // The clock of the saved expires_at: the emulator's, so the tokens expire when the tests advance it.
                options.TimeProvider = time;
            });

        TokenTestHost? host = null;
        builder.Services.AddEllipsisDriveTokens(options =>
        {
            options.Events.OnRefreshFailed = context =>
            {
                host!.RefreshFailedEvents++;
                host.RefreshFailures.Enqueue(context);
                context.SignOut = host.SignOutOnRefreshFailure;
                return Task.CompletedTask;
            };
            options.Events.OnTokensRefreshed = context =>
            {
                host!.Refreshes.Enqueue(context);
                return Task.CompletedTask;
            };
        });
        if (serverMode)
        {
            builder.Services.AddEllipsisDriveSessions();
        }

        builder.Services.AddEllipsisDriveApiClient();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        host = new TokenTestHost(app, drive);
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (EllipsisDriveSignInRequiredException exception) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("signin-required: " + exception.Message);
            }
            catch (EllipsisDriveTokenException exception) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync($"token-error transient={exception.IsTransient}: {exception.Message}");
            }
            catch (HttpRequestException exception) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
                await context.Response.WriteAsync($"api-error {(int?)exception.StatusCode}");
            }
        });
        app.UseAuthentication();

        app.MapGet(ChallengePath, () => Results.Challenge(
            new AuthenticationProperties { RedirectUri = "/test/whoami" }, [EllipsisDriveDefaults.AuthenticationScheme]));
        app.MapGet("/test/token", async (HttpContext context, IEllipsisDriveTokenService tokens) =>
            Fingerprint(await tokens.GetAccessTokenAsync(context, context.RequestAborted)));
        app.MapGet("/test/token-after-body", async (HttpContext context, IEllipsisDriveTokenService tokens) =>
        {
            await context.Response.WriteAsync("started;");
            await context.Response.WriteAsync(Fingerprint(await tokens.GetAccessTokenAsync(context, context.RequestAborted)));
        });
        app.MapGet("/test/token-after-gate", async (HttpContext context, IEllipsisDriveTokenService tokens) =>
        {
            // Authenticated already (the session as it was when the request came in); the token is asked for later.
            host.AtGate.SetResult();
            await host.Gate.Task.WaitAsync(TimeSpan.FromSeconds(30), context.RequestAborted);
            return Fingerprint(await tokens.GetAccessTokenAsync(context, context.RequestAborted));
        });
        app.MapGet("/test/account", async (EllipsisDriveApiClient api) => (await api.GetAccountAsync()).Username);
        app.MapGet("/test/root", async (EllipsisDriveApiClient api, string? pageStart) =>
        {
            var page = await api.ListRootAsync(EllipsisDriveRootNames.MyDrive, ["folder", "raster", "vector", "file"], 2, pageStart);
            return $"{page.Items.Count};{page.NextPageStart}";
        });
        app.MapGet("/test/session-id", async (HttpContext context, IEllipsisDriveTokenService tokens) => await tokens.GetSessionIdAsync(context) ?? "none");
        app.MapGet("/test/refreshed-at", async (HttpContext context) => await context.GetTokenAsync("refreshed_at") ?? "never");
        app.MapGet("/test/expires-at", async (HttpContext context) => await context.GetTokenAsync("expires_at") ?? "unknown");
        app.MapGet("/test/ticket-tokens", async (HttpContext context) =>
            (await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme)).Properties?.GetTokens().Count(t => t.Name is "access_token" or "refresh_token") ?? 0);
        app.MapGet("/test/whoami", (HttpContext context) => context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name! : "anonymous");
        app.MapGet("/test/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return "signed-out";
        });

        await app.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }

    public BrowserClient CreateBrowser() => new(Server.CreateHandler(), Origin);

    /// <summary>
    /// Signs <paramref name="user"/> in in <paramref name="browser"/> as a user would: the challenge, the consent at the
    /// emulator, the callback (where the handler redeems the code, loads the account and signs into the cookie), then the
    /// redirect to the return URL, <c>/test/whoami</c>.
    /// </summary>
    /// <returns>The return URL's answer (the user name) after a sign-in; else the callback's answer.</returns>
    public async Task<HttpResponseMessage> SignInAsync(BrowserClient browser, string user = "alice")
    {
        var signIn = await browser.SignInAsync(ChallengePath, _drive, user);
        if (signIn.Callback.StatusCode != HttpStatusCode.Redirect)
        {
            return signIn.Callback;
        }

        using (signIn.Callback)
        {
            return await browser.GetAsync(signIn.Callback.Headers.Location!);
        }
    }

    public static string Fingerprint(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
