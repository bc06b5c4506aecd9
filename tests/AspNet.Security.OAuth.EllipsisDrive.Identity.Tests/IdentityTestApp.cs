using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Identity.Tests;

/// <summary>
/// An app as a real ASP.NET Core Identity app is wired: local accounts with passwords in Identity's EF Core stores on a
/// SQLite file, Ellipsis Drive added to an account as a linked login (the external cookie, then
/// <see cref="IEllipsisDriveTokenService.ConnectAsync"/> under the local user's id), the grant kept by the EF Core token
/// store in the same database, and the typed API client. Data Protection keys live in a directory, so a second instance
/// on the same <see cref="AppFiles"/> is the same app after a restart.
/// </summary>
internal sealed class IdentityTestApp : IAsyncDisposable
{
    public const string ClientId = "identity-client";
    public const string ClientSecret = "identity-secret";
    public const string Password = "Passw0rd!";

    // https: the handler's state cookie is Secure, and a browser sends it back over https only.
    public static readonly Uri Origin = new("https://app.example/");
    public static readonly string RedirectUri = new Uri(Origin, EllipsisDriveDefaults.CallbackPath).AbsoluteUri;

    private readonly WebApplication _app;

    private IdentityTestApp(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    /// <summary>Gets every <c>OnTokensRefreshed</c> the token service raised, in order.</summary>
    public ConcurrentQueue<EllipsisDriveTokensRefreshedContext> TokensRefreshed { get; } = new();

    /// <summary>Gets every <c>OnRefreshFailed</c> the token service raised, in order.</summary>
    public ConcurrentQueue<EllipsisDriveRefreshFailedContext> RefreshFailed { get; } = new();

    public IEllipsisDriveTokenStore TokenStore => Services.GetRequiredService<IEllipsisDriveTokenStore>();

    public IEllipsisDriveTokenService Tokens => Services.GetRequiredService<IEllipsisDriveTokenService>();

    /// <summary>Gets the typed client from the root services, as a background service gets it: no request, no scope.</summary>
    public EllipsisDriveApiClient Api => Services.GetRequiredService<EllipsisDriveApiClient>();

    public static async Task<IdentityTestApp> StartAsync(
        EllipsisDriveEmulator drive, TimeProvider time, AppFiles files, Action<EllipsisDriveTokenOptions>? configureTokens = null)
    {
        drive.RegisterClient(ClientId, ClientSecret, RedirectUri);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = files.Directory });
        builder.WebHost.UseTestServer(server => server.BaseAddress = Origin);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(time);

        // One key ring on disk: the grants the token store protected stay readable after a restart.
        builder.Services.AddDataProtection()
            .PersistKeysToFileSystem(new DirectoryInfo(files.KeysDirectory))
            .SetApplicationName("identity-tests");

        builder.Services.AddDbContext<IdentityDbContext>(options => options.UseSqlite(files.ConnectionString));
        builder.Services.AddIdentity<IdentityUser, IdentityRole>().AddEntityFrameworkStores<IdentityDbContext>();

        // AddIdentity makes Identity.External the default sign-in scheme: the Ellipsis Drive sign-in lands there.
        builder.Services.AddAuthentication().AddEllipsisDrive(options =>
        {
            options.ClientId = ClientId;
            options.ClientSecret = ClientSecret;
            options.BaseAddress = drive.BaseAddress;
            options.Backchannel = new HttpClient(new SocketsHttpHandler { UseProxy = false });

            // The clock of the saved expires_at: the emulator's, so the tokens expire when the tests advance it.
            options.TimeProvider = time;
        });

        IdentityTestApp? host = null;
        builder.Services.AddEllipsisDriveTokens(options =>
        {
            // The app links the grant to the local account itself, in /connect/callback.
            options.StoreGrantsAtSignIn = false;
            options.Events.OnTokensRefreshed = context =>
            {
                host!.TokensRefreshed.Enqueue(context);
                return Task.CompletedTask;
            };
            options.Events.OnRefreshFailed = context =>
            {
                host!.RefreshFailed.Enqueue(context);
                return Task.CompletedTask;
            };
            configureTokens?.Invoke(options);
        });
        builder.Services.AddEllipsisDriveEntityFrameworkCoreStore(options => options.UseSqlite(files.ConnectionString));
        builder.Services.AddEllipsisDriveApiClient();

        var app = builder.Build();
        host = new IdentityTestApp(app);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            // Identity's tables first: EnsureCreated does nothing in a database that already has tables.
            await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Database.EnsureCreatedAsync(TestContext.Current.CancellationToken);
        }

        app.UseAuthentication();

        // "Connect again" is the app's own connect page, which links the new grant to the local user.
        app.UseEllipsisDriveSignInRequired("/connect");
        MapEndpoints(app);

        await app.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }

    private static void MapEndpoints(WebApplication app)
    {
        // A local account with a password, signed in with the Identity cookie. Answers the local user's id.
        app.MapGet("/account/register", async (string userName, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn) =>
        {
            var user = new IdentityUser(userName);
            var created = await users.CreateAsync(user, Password);
            if (!created.Succeeded)
            {
                return Results.BadRequest(string.Join("; ", created.Errors.Select(e => e.Code)));
            }

            var signedIn = await signIn.PasswordSignInAsync(userName, Password, isPersistent: false, lockoutOnFailure: false);
            return signedIn.Succeeded ? Results.Text(user.Id) : Results.BadRequest("password sign-in failed");
        });

        app.MapGet("/account/whoami", (HttpContext context) => context.User.Identity?.Name ?? "anonymous");

        // Connect Ellipsis Drive to the signed-in local account: the Ellipsis Drive sign-in goes to Identity's external
        // cookie, with the local user's id as the XSRF value GetExternalLoginInfoAsync checks.
        app.MapGet("/connect", (HttpContext context, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn) =>
        {
            if (users.GetUserId(context.User) is not { } userId)
            {
                return Results.Unauthorized();
            }

            var properties = signIn.ConfigureExternalAuthenticationProperties(EllipsisDriveDefaults.AuthenticationScheme, "/connect/callback", userId);
            return Results.Challenge(properties, [EllipsisDriveDefaults.AuthenticationScheme]);
        });

        app.MapGet("/connect/callback", async (
            HttpContext context, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, IEllipsisDriveTokenService tokens) =>
        {
            if (await users.GetUserAsync(context.User) is not { } user)
            {
                return Results.Unauthorized();
            }

            if (await signIn.GetExternalLoginInfoAsync(user.Id) is not { } info)
            {
                return Results.BadRequest("no Ellipsis Drive sign-in to link");
            }

            var owner = await users.FindByLoginAsync(info.LoginProvider, info.ProviderKey);
            if (owner is null)
            {
                var added = await users.AddLoginAsync(user, info);
                if (!added.Succeeded)
                {
                    return Results.BadRequest(string.Join("; ", added.Errors.Select(e => e.Code)));
                }
            }
            else if (owner.Id != user.Id)
            {
                return Results.Conflict("This Ellipsis Drive account is linked to another local account.");
            }

            await tokens.ConnectAsync(user.Id, info.AuthenticationProperties!, context.RequestAborted);
            await context.SignOutAsync(IdentityConstants.ExternalScheme);
            return Results.Text("connected");
        });

        app.MapGet("/drive/account", async (EllipsisDriveApiClient api, CancellationToken cancellationToken) =>
            (await api.GetAccountAsync(cancellationToken)).Username);

        // Only a fingerprint of the token ever leaves the app.
        app.MapGet("/drive/token", async (HttpContext context, IEllipsisDriveTokenService tokens) =>
            Fingerprint(await tokens.GetAccessTokenAsync(context, context.RequestAborted)));

        app.MapGet("/disconnect", async (HttpContext context, UserManager<IdentityUser> users, IEllipsisDriveTokenService tokens) =>
        {
            if (await users.GetUserAsync(context.User) is not { } user)
            {
                return Results.Unauthorized();
            }

            var removed = await tokens.DisconnectAsync(user.Id, context.RequestAborted);
            foreach (var login in await users.GetLoginsAsync(user))
            {
                if (login.LoginProvider == EllipsisDriveDefaults.AuthenticationScheme)
                {
                    await users.RemoveLoginAsync(user, login.LoginProvider, login.ProviderKey);
                }
            }

            return Results.Text(removed ? "disconnected" : "was-not-connected");
        });
    }

    public Browser CreateBrowser() => new(_app.GetTestServer().CreateHandler());

    public static string Fingerprint(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// A browser over the test server: keeps cookies (the jar judges their expiry by the real clock), never follows
    /// redirects, and keeps every <c>Set-Cookie</c> and body the app sent.
    /// </summary>
    internal sealed class Browser : IDisposable
    {
        private readonly HttpClient _client;
        private readonly ConcurrentQueue<string> _received = new();

        public Browser(HttpMessageHandler server)
        {
            var recorder = new RecordingHandler(_received) { InnerHandler = server };
            _client = new HttpClient(new CookieJarHandler(Cookies) { InnerHandler = recorder }) { BaseAddress = Origin };
        }

        public CookieContainer Cookies { get; } = new();

        /// <summary>Gets every <c>Set-Cookie</c> value and body the app sent to this browser.</summary>
        public IReadOnlyCollection<string> Received => _received;

        public Task<HttpResponseMessage> GetAsync(Uri url) => _client.GetAsync(url, TestContext.Current.CancellationToken);

        public Task<HttpResponseMessage> GetAsync(string url) => _client.GetAsync(url, TestContext.Current.CancellationToken);

        /// <summary>A GET as <c>fetch</c> sends it from a page's script: asking for JSON.</summary>
        public Task<HttpResponseMessage> FetchJsonAsync(string url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/json");
            return _client.SendAsync(request, TestContext.Current.CancellationToken);
        }

        public async Task<string> GetStringAsync(string url)
        {
            using var response = await GetAsync(url);
            return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }

        public void Dispose() => _client.Dispose();

        private sealed class RecordingHandler(ConcurrentQueue<string> received) : DelegatingHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var response = await base.SendAsync(request, cancellationToken);
                if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
                {
                    foreach (var setCookie in setCookies)
                    {
                        received.Enqueue(setCookie);
                    }
                }

                await response.Content.LoadIntoBufferAsync(cancellationToken);
                received.Enqueue(await response.Content.ReadAsStringAsync(cancellationToken));
                return response;
            }
        }
    }
}

/// <summary>
/// What an app instance keeps on disk: one SQLite database (Identity's tables and the token store's) and the Data
/// Protection key ring. Two instances on the same files are one app before and after a restart.
/// </summary>
internal sealed class AppFiles : IDisposable
{
    public AppFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "ellipsisdrive-identity-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(KeysDirectory);
    }

    public string Directory { get; }

    public string KeysDirectory => Path.Combine(Directory, "keys");

    // No connection pooling: nothing holds the file open once an instance is gone, so it can be deleted.
    public string ConnectionString => $"Data Source={Path.Combine(Directory, "app.db")};Pooling=False";

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not a test failure.
        }
    }
}
