using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WebApp;

var builder = WebApplication.CreateBuilder(args);

// Fails here, before anything starts, when only one of ClientId / ClientSecret is set.
var settings = SampleSettings.Read(builder.Configuration);
settings.AddEmulatorWhenUnconfigured(builder.Services, builder.Configuration);

builder.Services.AddSingleton(new SampleMode(settings.UseEmulator, settings.RedisConnectionString is not null));
builder.Services.Configure<DriveOptions>(builder.Configuration.GetSection(DriveOptions.SectionName));

builder.Services.AddControllersWithViews(options =>
{
    options.Filters.Add(new AutoValidateAntiforgeryTokenAttribute());
    // A refused form gets a page saying what happened instead of an empty 400.
    options.Filters.Add<AntiforgeryFailurePage>();
});

// Behind a reverse proxy (TLS terminated there), the callback URL must use the public scheme and host.
// Only proxies on loopback are trusted by default: add yours to KnownProxies / KnownIPNetworks.
builder.Services.Configure<ForwardedHeadersOptions>(options =>
    options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);

builder.Services
    .AddAuthentication(options =>
    {
        options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        // [Authorize] sends the browser to the sign-in page, not straight to Ellipsis Drive:
        // the challenge itself is a POST with an antiforgery token.
        options.DefaultChallengeScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    })
    .AddCookie(options =>
    {
        options.Cookie.Name = "WebApp.Session";
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.LoginPath = "/Account/SignIn";
        options.LogoutPath = "/Account/SignOut";
        options.AccessDeniedPath = "/Home/AccessDenied";
        options.ExpireTimeSpan = TimeSpan.FromHours(8);
        options.SlidingExpiration = true;
        options.Events.OnRedirectToLogin = context =>
        {
            // After a form's POST (a stale tab, signed out meanwhile) the sign-in must not return to that URL with a
            // GET it does not answer: the sign-in page then leads to the account page.
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.RedirectUri = context.Options.LoginPath;
            }

            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        };
    })
    .AddEllipsisDrive(options =>
    {
        if (!settings.UseEmulator)
        {
            builder.Configuration.GetSection(SampleSettings.SectionName).Bind(options);
            // An empty EllipsisDrive:BaseAddress (as in appsettings.json) means the public Ellipsis Drive.
            options.BaseAddress = settings.BaseAddress ?? new Uri(EllipsisDriveDefaults.BaseAddress);
        }

        options.AccessDeniedPath = "/Home/AccessDenied";
        options.Events.OnRemoteFailure = RemoteFailure.HandleAsync;
    });

// Server-side sessions: the cookie carries a random session key, the tokens stay in the cache.
if (settings.RedisConnectionString is { } redisConfiguration)
{
    // A web farm: every instance shares the sessions and the Data Protection keys that protect them.
    var redisOptions = ConfigurationOptions.Parse(redisConfiguration);
    // Start (and keep running) while Redis is down; the session store answers within its OperationTimeout meanwhile.
    redisOptions.AbortOnConnectFail = false;
    var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
    builder.Services.AddDataProtection()
        .SetApplicationName("EllipsisDrive.WebApp")
        .PersistKeysToStackExchangeRedis(redis, "EllipsisDrive.WebApp:DataProtection-Keys");
    builder.Services.AddStackExchangeRedisCache(options =>
        options.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(redis));

    // One refresh at a time across the farm: with rotating refresh tokens, two servers refreshing the same session at
    // once would otherwise spend the same refresh token twice.
    builder.Services.AddEllipsisDriveRedisRefreshLock(redis);
}

builder.Services.AddEllipsisDriveSessions();

// The typed API client; its HttpClient attaches the user's access token and refreshes it when needed.
builder.Services.AddEllipsisDriveApiClient();

// Opening a folder calls two more endpoints; this HttpClient sends the user's access token the same way.
builder.Services
    .AddHttpClient<DriveFolderClient>(static (provider, client) =>
        client.BaseAddress = provider.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>().Get(EllipsisDriveDefaults.AuthenticationScheme).BaseAddress)
    .AddEllipsisDriveAccessToken();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseExceptionHandler("/Home/Error");
if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}

app.UseStatusCodePagesWithReExecute("/Home/Status/{0}");
app.Use(SecurityHeaders.AddAsync);
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.Use(SignedInPages.NoStoreAsync);
// A session whose refresh token Ellipsis Drive no longer accepts becomes a new sign-in, not an error page.
app.UseEllipsisDriveSignInRequired();
app.MapDefaultControllerRoute();

app.Lifetime.ApplicationStarted.Register(() =>
    StartupMessage.Log(app.Logger, app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>(), settings.UseEmulator));

await app.RunAsync();

/// <summary>The sample's entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
