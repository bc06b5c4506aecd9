using System.Net;
using System.Security.Claims;
using AspNet.Security.OAuth.EllipsisDrive.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

/// <summary>
/// <c>AddEllipsisDriveEmulator</c> in an app, and <c>SignInWithEllipsisDriveEmulatorAsync</c> in its tests: the app is
/// never told where the emulator is, nor its client ID and secret.
/// </summary>
public sealed class DevelopmentWiringTests : IAsyncDisposable
{
    private WebApplication? _app;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_line_runs_the_app_on_the_emulator_and_a_test_client_signs_in_through_it()
    {
        var app = await StartAppAsync(services => services.AddEllipsisDriveEmulator());
        var client = CookieClient(app);

        var callback = await client.SignInWithEllipsisDriveEmulatorAsync(app.Services.GetRequiredService<EllipsisDriveEmulator>(), "/signin", "bob", Ct);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/me", callback.Headers.Location?.OriginalString);
        Assert.Equal("bob", await client.GetStringAsync(new Uri("/me", UriKind.Relative), Ct));
    }

    [Fact]
    public async Task The_emulator_replaces_a_configured_client_and_registers_the_apps_callback_url()
    {
        var app = await StartAppAsync(
            services => services.AddEllipsisDriveEmulator(),
            options =>
            {
                options.ClientId = "real-client";
                options.ClientSecret = "real-secret";
                options.BaseAddress = new Uri("https://private.example/v3/");
            });

        var emulator = app.Services.GetRequiredService<EllipsisDriveEmulator>();
        var client = app.Services.GetRequiredService<EmulatorClient>();
        var options = app.Services.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>().Get(EllipsisDriveDefaults.AuthenticationScheme);
        Assert.Equal(emulator.BaseAddress, options.BaseAddress);
        Assert.StartsWith(emulator.BaseAddress.AbsoluteUri, options.TokenEndpoint, StringComparison.Ordinal);
        Assert.Equal(client.ClientId, options.ClientId);
        Assert.Equal(client.ClientSecret, options.ClientSecret);
        Assert.Contains("http://localhost/signin-ellipsisdrive", client.RedirectUris);
    }

    [Fact]
    public async Task The_wiring_can_come_before_the_handler_and_adjusts_the_emulators_options()
    {
        var app = await StartAppAsync(services => services.AddEllipsisDriveEmulator(options => options.AccessTokenLifetime = TimeSpan.FromMinutes(7)), addEmulatorFirst: true);
        var client = CookieClient(app);

        await client.SignInWithEllipsisDriveEmulatorAsync(app.Services.GetRequiredService<EllipsisDriveEmulator>(), "/signin", cancellationToken: Ct);

        Assert.Equal("alice", await client.GetStringAsync(new Uri("/me", UriKind.Relative), Ct));
        Assert.Equal(TimeSpan.FromMinutes(7), app.Services.GetRequiredService<EllipsisDriveEmulator>().Options.AccessTokenLifetime);
    }

    [Fact]
    public async Task The_emulator_stops_with_the_app()
    {
        var app = await StartAppAsync(services => services.AddEllipsisDriveEmulator());
        var account = new Uri(app.Services.GetRequiredService<EllipsisDriveEmulator>().BaseAddress, "account");
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(account, Ct)).StatusCode);

        await app.DisposeAsync();
        _app = null;

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync(account, Ct));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task<WebApplication> StartAppAsync(Action<IServiceCollection> wiring, Action<EllipsisDriveOptions>? configure = null, bool addEmulatorFirst = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (addEmulatorFirst)
        {
            wiring(builder.Services);
        }

        builder.Services
            .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie()
            .AddEllipsisDrive(options => configure?.Invoke(options));
        if (!addEmulatorFirst)
        {
            wiring(builder.Services);
        }

        var app = _app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/signin", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/me" }, [EllipsisDriveDefaults.AuthenticationScheme]));
        app.MapGet("/me", (ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? Results.Text(user.Identity.Name) : Results.Unauthorized());
        await app.StartAsync(Ct);
        return app;
    }

    private static HttpClient CookieClient(WebApplication app) =>
        new(new CookieJarHandler(new CookieContainer()) { InnerHandler = app.GetTestServer().CreateHandler() })
        {
            BaseAddress = new Uri("https://localhost/"),
        };
}
