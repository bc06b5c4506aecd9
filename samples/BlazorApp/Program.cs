using AspNet.Security.OAuth.EllipsisDrive;
using BlazorApp;
using BlazorApp.Components;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.Connections;
using WebApp;

var builder = WebApplication.CreateBuilder(args);

// Fails here, before anything starts, when only one of ClientId / ClientSecret is set.
var settings = SampleSettings.Read(builder.Configuration);
settings.AddEmulatorWhenUnconfigured(builder.Services, builder.Configuration);

var blazor = builder.Configuration.GetSection("Blazor");
builder.Services.AddSingleton(new SampleMode(settings.UseEmulator, blazor.GetValue("Prerender", defaultValue: true)));
builder.Services.Configure<DriveOptions>(builder.Configuration.GetSection(DriveOptions.SectionName));

builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents()
    // Inside a circuit, the API client sends the token of the circuit's user (from its authentication state).
    .AddEllipsisDriveCircuits();
builder.Services.AddCascadingAuthenticationState();

builder.Services
    .AddAuthentication(options =>
    {
        options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        // [Authorize] pages send the browser to the sign-in page, not straight to Ellipsis Drive:
        // the challenge itself is a POST with an antiforgery token.
        options.DefaultChallengeScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    })
    .AddCookie(options =>
    {
        options.Cookie.Name = "BlazorApp.Session";
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.LoginPath = "/account/signin";
        options.AccessDeniedPath = "/access-denied";
        options.ExpireTimeSpan = TimeSpan.FromHours(8);
        options.SlidingExpiration = true;
    })
    .AddEllipsisDrive(options =>
    {
        if (!settings.UseEmulator)
        {
            builder.Configuration.GetSection(SampleSettings.SectionName).Bind(options);
            // An empty EllipsisDrive:BaseAddress (as in appsettings.json) means the public Ellipsis Drive.
            options.BaseAddress = settings.BaseAddress ?? new Uri(EllipsisDriveDefaults.BaseAddress);
        }

        options.AccessDeniedPath = "/access-denied";
        options.Events.OnRemoteFailure = RemoteFailure.HandleAsync;
    });
builder.Services.AddAuthorization();

// Server-side sessions: the cookie carries a random session key, the tokens stay on the server. A circuit cannot
// rewrite the auth cookie, so circuits need them (or a token store); AddEllipsisDriveCircuits checks at start-up.
builder.Services.AddEllipsisDriveSessions();

// The typed API client; its HttpClient attaches the user's access token and refreshes it when needed.
builder.Services.AddEllipsisDriveApiClient();

var app = builder.Build();

app.UseExceptionHandler("/error", createScopeForErrors: true);
if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.Use(SecurityHeaders.AddAsync);
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapAccountEndpoints();
var components = app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
if (string.Equals(blazor["Transport"], "LongPolling", StringComparison.OrdinalIgnoreCase))
{
    // Circuits over long polling only (as behind a proxy that drops WebSockets): the server offers no other transport.
    components.Add(endpoint =>
    {
        foreach (var connection in endpoint.Metadata.OfType<HttpConnectionDispatcherOptions>())
        {
            connection.Transports = HttpTransportType.LongPolling;
        }
    });
}

await app.RunAsync();
