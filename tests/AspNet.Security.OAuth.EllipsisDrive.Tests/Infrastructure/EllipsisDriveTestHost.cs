using System.Security.Claims;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;

/// <summary>
/// An application signed in with Ellipsis Drive, served by <see cref="TestServer"/> at <c>https://localhost/</c>,
/// against a started <see cref="EllipsisDriveEmulator"/> on a loopback port (real HTTP for every backchannel call).
/// </summary>
/// <remarks>
/// <para>Endpoints:</para>
/// <list type="bullet">
/// <item><c>/challenge?returnUrl=&amp;scope=</c>: challenges the Ellipsis Drive scheme (scope: space-separated, per challenge).</item>
/// <item><c>/me</c>: 401 when anonymous, else the claims as JSON <c>{ "claims": [ { "type", "value", "issuer" } ] }</c>.</item>
/// <item><c>/tokens</c>: the names of the saved tokens and <c>expires_at</c> (never a token value).</item>
/// <item><c>/denied</c>: the <c>AccessDeniedPath</c>.</item>
/// </list>
/// <para>
/// <c>OnRemoteFailure</c> records the failure in <see cref="Failures"/> and answers 400 with the failure message
/// as text, so a test sees failures as a browser would and the <see cref="LeakScanner"/> reads the message.
/// Logs of every category go to <see cref="Logs"/>.
/// </para>
/// </remarks>
public sealed class EllipsisDriveTestHost : IAsyncDisposable
{
    /// <summary>The client id registered with the emulator.</summary>
    public const string ClientId = "test-client-id";

    /// <summary>The client secret registered with the emulator.</summary>
    public const string ClientSecret = "test-client-secret-9c1f2e";

    /// <summary>The application's origin (https: the correlation and state cookies are Secure).</summary>
    public static readonly Uri Origin = new("https://localhost/");

    /// <summary>The callback URL registered with the emulator.</summary>
    public static readonly string RedirectUri = new Uri(Origin, EllipsisDriveDefaults.CallbackPath).AbsoluteUri;

    private readonly WebApplication _app;
    private readonly bool _ownsEmulator;
    private readonly List<Exception> _failures = [];

    private EllipsisDriveTestHost(WebApplication app, EllipsisDriveEmulator emulator, bool ownsEmulator, FakeTimeProvider time)
    {
        _app = app;
        _ownsEmulator = ownsEmulator;
        Emulator = emulator;
        Time = time;
        Logs = app.Services.GetFakeLogCollector();
        Browser = NewBrowser();
    }

    /// <summary>Gets the emulator the application signs in against.</summary>
    public EllipsisDriveEmulator Emulator { get; }

    /// <summary>Gets the application's clock (<see cref="EllipsisDriveOptions"/>.TimeProvider), starting at the real current time.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>Gets the application's log records, every category and level.</summary>
    public FakeLogCollector Logs { get; }

    /// <summary>Gets the default browser; <see cref="NewBrowser"/> makes more (other users, other devices).</summary>
    public BrowserClient Browser { get; }

    /// <summary>Gets the application's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Gets the failures <c>OnRemoteFailure</c> saw, in order.</summary>
    public IReadOnlyList<Exception> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>
    /// Starts an emulator and the application.
    /// </summary>
    /// <param name="configureOptions">Changes the handler's options after the defaults (emulator address, client, fake clock).</param>
    /// <param name="configureEmulator">Changes the emulator's options before it starts.</param>
    /// <param name="configureServices">Adds or replaces application services.</param>
    /// <param name="emulator">An already started emulator to use (kept running on dispose), instead of a new one.</param>
    /// <returns>The started host; dispose it.</returns>
    public static async Task<EllipsisDriveTestHost> StartAsync(
        Action<EllipsisDriveOptions>? configureOptions = null,
        Action<EllipsisDriveEmulatorOptions>? configureEmulator = null,
        Action<IServiceCollection>? configureServices = null,
        EllipsisDriveEmulator? emulator = null)
    {
        var ownsEmulator = emulator is null;
        if (emulator is null)
        {
            var emulatorOptions = new EllipsisDriveEmulatorOptions();
            configureEmulator?.Invoke(emulatorOptions);
            emulator = await EllipsisDriveEmulator.StartAsync(emulatorOptions, TestContext.Current.CancellationToken);
        }

        emulator.RegisterClient(ClientId, ClientSecret, RedirectUri);

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        EllipsisDriveTestHost? host = null;

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddRouting();
        builder.Services
            .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie()
            .AddEllipsisDrive(options =>
            {
                options.ClientId = ClientId;
                options.ClientSecret = ClientSecret;
                options.BaseAddress = emulator.BaseAddress;
                options.TimeProvider = time;
                options.AccessDeniedPath = "/denied";
                options.Events.OnRemoteFailure = context =>
                {
                    host!.RecordFailure(context.Failure!);
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    context.HandleResponse();
                    return context.Response.WriteAsync(context.Failure?.Message ?? "Sign-in failed.");
                };
                configureOptions?.Invoke(options);
            });
        builder.Services.AddAuthorization();

        // Keys in memory: nothing written to the user profile; hosts that must share keys pass one provider.
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/challenge", (string? returnUrl, string? scope) =>
        {
            var properties = new OAuthChallengeProperties { RedirectUri = returnUrl ?? "/me" };
            if (scope is not null)
            {
                properties.Scope = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }

            return Results.Challenge(properties, [EllipsisDriveDefaults.AuthenticationScheme]);
        });
        app.MapGet("/me", (ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true
            ? Results.Json(new { claims = user.Claims.Select(c => new { type = c.Type, value = c.Value, issuer = c.Issuer }) })
            : Results.Unauthorized());
        app.MapGet("/tokens", async (HttpContext context) =>
        {
            var result = await context.AuthenticateAsync();
            if (!result.Succeeded)
            {
                return Results.Unauthorized();
            }

            var tokens = result.Properties.GetTokens().ToList();
            return Results.Json(new
            {
                names = tokens.Select(t => t.Name),
                expiresAt = tokens.FirstOrDefault(t => t.Name == "expires_at")?.Value,
            });
        });
        app.MapGet("/denied", () => Results.Text("denied"));

        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            if (ownsEmulator)
            {
                await emulator.DisposeAsync();
            }

            throw;
        }

        host = new EllipsisDriveTestHost(app, emulator, ownsEmulator, time);
        return host;
    }

    /// <summary>A fresh browser (empty cookie jar) on the application.</summary>
    /// <returns>The browser; it lives as long as the host.</returns>
    public BrowserClient NewBrowser() => new(_app.GetTestServer().CreateHandler(), Origin);

    /// <summary>
    /// Starts a sign-in in <paramref name="browser"/>: GET <c>/challenge</c>, expecting the 302 to the emulator.
    /// </summary>
    /// <param name="browser">The browser; <see langword="null"/> for <see cref="Browser"/>.</param>
    /// <param name="returnUrl">Where the application returns after sign-in.</param>
    /// <returns>The authorization URL the application redirected to.</returns>
    public Task<Uri> ChallengeAsync(BrowserClient? browser = null, string returnUrl = "/me") =>
        (browser ?? Browser).ChallengeAsync(ChallengeUrl(returnUrl));

    /// <summary>
    /// Runs a whole sign-in in <paramref name="browser"/>: challenge, the user's consent at the emulator (over real
    /// HTTP), then the provider's redirect back to the callback.
    /// </summary>
    /// <param name="userName">The emulator user who consents.</param>
    /// <param name="browser">The browser; <see langword="null"/> for <see cref="Browser"/>.</param>
    /// <param name="returnUrl">Where the application returns after sign-in.</param>
    /// <param name="allow"><see langword="false"/> to press Deny on the consent page.</param>
    /// <returns>The URLs and the callback's response (302 to <paramref name="returnUrl"/> on success).</returns>
    public Task<BrowserClient.SignInResult> SignInAsync(string userName = "alice", BrowserClient? browser = null, string returnUrl = "/me", bool allow = true) =>
        (browser ?? Browser).SignInAsync(ChallengeUrl(returnUrl), Emulator, userName, allow);

    /// <summary>A leak scanner over this host's logs, the browsers' responses and the emulator's secrets.</summary>
    /// <param name="browsers">The browsers whose responses to scan; none means <see cref="Browser"/>.</param>
    /// <returns>The scanner.</returns>
    public LeakScanner LeakScanner(params BrowserClient[] browsers) =>
        new(this, browsers.Length == 0 ? [Browser] : browsers);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        await _app.DisposeAsync();
        if (_ownsEmulator)
        {
            await Emulator.DisposeAsync();
        }
    }

    private static string ChallengeUrl(string returnUrl) => "/challenge?returnUrl=" + Uri.EscapeDataString(returnUrl);

    private void RecordFailure(Exception failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
    }
}
