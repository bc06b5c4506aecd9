using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// A minimal app for the token tests: a cookie scheme, the Ellipsis Drive options pointed at the emulator, the token
/// service, and endpoints that sign in (through the emulator's real authorize/consent/token flow), read the token
/// (answering only its fingerprint), call the API, and sign out.
/// </summary>
internal sealed class TokenTestHost : IAsyncDisposable
{
    public const string ClientId = "tokens-client";
    public const string ClientSecret = "tokens-secret";
    public const string RedirectUri = "https://app.example/signin-ellipsisdrive";

    private readonly WebApplication _app;

    private TokenTestHost(WebApplication app)
    {
        _app = app;
    }

    public IServiceProvider Services => _app.Services;

    public TestServer Server => _app.GetTestServer();

    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public int RefreshFailedEvents { get; private set; }

    public bool SignOutOnRefreshFailure { get; set; } = true;

    public static async Task<TokenTestHost> StartAsync(
        EllipsisDriveEmulator drive,
        TimeProvider time,
        bool serverMode,
        Action<IServiceCollection>? configureServices = null)
    {
        drive.RegisterClient(ClientId, ClientSecret, RedirectUri);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton(time);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.AddOptions<EllipsisDriveOptions>(EllipsisDriveDefaults.AuthenticationScheme).Configure(options =>
        {
            options.ClientId = ClientId;
            options.ClientSecret = ClientSecret;
            options.BaseAddress = drive.BaseAddress;
            options.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.Backchannel = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        });
        builder.Services.AddSingleton<IPostConfigureOptions<EllipsisDriveOptions>, EllipsisDrivePostConfigureOptions>();

        TokenTestHost? host = null;
        builder.Services.AddEllipsisDriveTokens(options => options.Events.OnRefreshFailed = context =>
        {
            host!.RefreshFailedEvents++;
            context.SignOut = host.SignOutOnRefreshFailure;
            return Task.CompletedTask;
        });
        if (serverMode)
        {
            builder.Services.AddEllipsisDriveSessions();
        }

        builder.Services.AddEllipsisDriveApiClient();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        host = new TokenTestHost(app);
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

        app.MapGet("/test/signin", async (HttpContext context, string? user) =>
        {
            await SignInThroughEmulatorAsync(context, drive, time, user ?? "alice");
            return "signed-in";
        });
        app.MapGet("/test/token", async (HttpContext context, IEllipsisDriveTokenService tokens) =>
            Fingerprint(await tokens.GetAccessTokenAsync(context, context.RequestAborted)));
        app.MapGet("/test/token-after-body", async (HttpContext context, IEllipsisDriveTokenService tokens) =>
        {
            await context.Response.WriteAsync("started;");
            await context.Response.WriteAsync(Fingerprint(await tokens.GetAccessTokenAsync(context, context.RequestAborted)));
        });
        app.MapGet("/test/account", async (EllipsisDriveApiClient api) => (await api.GetAccountAsync()).Username);
        app.MapGet("/test/root", async (EllipsisDriveApiClient api, string? pageStart) =>
        {
            var page = await api.ListRootAsync(EllipsisDriveRootNames.MyDrive, ["folder", "raster", "vector", "file"], 2, pageStart);
            return $"{page.Items.Count};{page.NextPageStart}";
        });
        app.MapGet("/test/session-id", async (HttpContext context, IEllipsisDriveTokenService tokens) => await tokens.GetSessionIdAsync(context) ?? "none");
        app.MapGet("/test/refreshed-at", async (HttpContext context) => await context.GetTokenAsync("refreshed_at") ?? "never");
        app.MapGet("/test/whoami", (HttpContext context) => context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name! : "anonymous");
        app.MapGet("/test/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return "signed-out";
        });

        await app.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }

    public TestBrowser CreateBrowser() => new(Server);

    public static string Fingerprint(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task SignInThroughEmulatorAsync(HttpContext context, EllipsisDriveEmulator drive, TimeProvider time, string user)
    {
        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>().Get(EllipsisDriveDefaults.AuthenticationScheme);
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var challenge = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = QueryHelpers.AddQueryString(options.AuthorizationEndpoint, new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = ClientId,
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "projects",
            ["state"] = "test-state",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        });
        var callback = await drive.ConsentAsync(new Uri(authorize), user, allow: true, context.RequestAborted);
        var code = QueryHelpers.ParseQuery(callback.Query)["code"].ToString();
        var tokens = await EllipsisDriveTokenClient.RedeemCodeAsync(options, code, RedirectUri, verifier, context.RequestAborted);

        var properties = new AuthenticationProperties();
        new TokenSnapshot(tokens.AccessToken, tokens.RefreshToken, tokens.TokenType, tokens.ExpiresIn is { } lifetime ? time.GetUtcNow() + lifetime : null)
            .ApplyTo(properties);
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], EllipsisDriveDefaults.AuthenticationScheme));
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal, properties);
    }
}

/// <summary>
/// An HttpClient into the test server that keeps cookies like a browser; cookies can be copied to replay them.
/// </summary>
internal sealed class TestBrowser : IDisposable
{
    private readonly HttpClient _client;

    public TestBrowser(TestServer server)
    {
        _client = new HttpClient(new CookieJarHandler(Cookies) { InnerHandler = server.CreateHandler() }) { BaseAddress = server.BaseAddress };
    }

    public CookieContainer Cookies { get; } = new();

    public Task<HttpResponseMessage> GetAsync(string path) => _client.GetAsync(path, TestContext.Current.CancellationToken);

    public async Task<string> GetStringAsync(string path)
    {
        using var response = await GetAsync(path);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    public void CopyCookiesFrom(TestBrowser other)
    {
        foreach (Cookie cookie in other.Cookies.GetAllCookies())
        {
            Cookies.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }
    }

    public void Dispose() => _client.Dispose();
}
