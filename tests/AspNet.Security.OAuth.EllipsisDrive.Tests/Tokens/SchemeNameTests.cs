using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// The token layer (token service, access-token handler, typed client) works for the Ellipsis Drive scheme the app
/// registered under its own name, and start-up fails, naming <c>EllipsisDriveTokenOptions.Scheme</c>, when it cannot
/// tell which scheme is meant.
/// </summary>
public sealed class SchemeNameTests : IAsyncDisposable
{
    private const string Scheme = "ellipsis";
    private const string ClientId = "scheme-client";
    private const string ClientSecret = "scheme-secret";
    private static readonly Uri Origin = new("https://localhost/");
    private static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);

    // Starts at the real time: the browser drops the state cookie if its expiry, read from this clock, is already past.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private EllipsisDriveEmulator? _drive;
    private WebApplication? _app;

    [Fact]
    public async Task The_typed_client_calls_the_API_of_the_only_scheme_registered_under_another_name()
    {
        using var browser = await StartAndSignInAsync();
        var api = _app!.Services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(EllipsisDriveApiClient));
        Assert.Equal(_drive!.BaseAddress, api.BaseAddress); // Checked first: the public API must not be called from a test.

        var user = await GetStringAsync(browser, "/account");

        Assert.Equal("alice", user);
        var call = Assert.Single(_drive.Requests, r => r.Endpoint == EmulatorEndpoint.Account);
        Assert.StartsWith("Bearer ", call.Headers["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_service_refreshes_with_the_client_of_the_only_scheme_registered_under_another_name()
    {
        using var browser = await StartAndSignInAsync();
        Assert.Equal(Scheme, _app!.Services.GetRequiredService<IOptions<EllipsisDriveTokenOptions>>().Value.Scheme);
        _time.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));

        var user = await GetStringAsync(browser, "/account");

        Assert.Equal("alice", user);
        var refresh = Assert.Single(_drive!.Requests, r => r.Endpoint == EmulatorEndpoint.TokenRefresh);
        Assert.Equal(ClientId, refresh.Parameters["client_id"]);
    }

    [Fact]
    public async Task A_token_scheme_that_is_not_an_Ellipsis_Drive_scheme_fails_at_start_up()
    {
        await using var app = BuildApp(
            auth => auth.AddEllipsisDrive(Scheme, Configure),
            tokens => tokens.Scheme = CookieAuthenticationDefaults.AuthenticationScheme);

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("EllipsisDriveTokenOptions.Scheme", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{CookieAuthenticationDefaults.AuthenticationScheme}'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_scheme_that_is_not_registered_fails_at_start_up()
    {
        await using var app = BuildApp(auth => auth.AddEllipsisDrive(Scheme, Configure), tokens => tokens.Scheme = "elipsis");

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("EllipsisDriveTokenOptions.Scheme", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'elipsis'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_Ellipsis_Drive_schemes_and_no_token_scheme_fail_at_start_up()
    {
        await using var app = BuildApp(auth => auth.AddEllipsisDrive("one", Configure).AddEllipsisDrive("two", Configure));

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("EllipsisDriveTokenOptions.Scheme", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'one'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'two'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_Ellipsis_Drive_schemes_start_with_the_token_scheme_chosen()
    {
        await using var app = BuildApp(auth => auth.AddEllipsisDrive("one", Configure).AddEllipsisDrive("two", Configure), tokens => tokens.Scheme = "two");

        await app.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal("two", app.Services.GetRequiredService<IOptions<EllipsisDriveTokenOptions>>().Value.Scheme);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_default_scheme_stays_the_token_scheme()
    {
        await using var app = BuildApp(auth => auth.AddEllipsisDrive(Configure));

        await app.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(EllipsisDriveDefaults.AuthenticationScheme, app.Services.GetRequiredService<IOptions<EllipsisDriveTokenOptions>>().Value.Scheme);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_drive is not null)
        {
            await _drive.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static async Task<string> GetStringAsync(BrowserClient browser, string path)
    {
        using var response = await browser.GetAsync(path);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private static void Configure(EllipsisDriveOptions options)
    {
        options.ClientId = ClientId;
        options.ClientSecret = ClientSecret;
    }

    private static WebApplication BuildApp(Action<AuthenticationBuilder> addSchemes, Action<EllipsisDriveTokenOptions>? tokens = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        addSchemes(builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie());
        builder.Services.AddEllipsisDriveTokens(tokens);
        builder.Services.AddEllipsisDriveApiClient();
        return builder.Build();
    }

    /// <summary>
    /// Starts the emulator and an app whose only Ellipsis Drive scheme is named <see cref="Scheme"/> (token options left
    /// alone), then signs alice in through the real handler: challenge, consent at the emulator, callback. The emulator's
    /// recording starts empty after that.
    /// </summary>
    private async Task<BrowserClient> StartAndSignInAsync()
    {
        _drive = await EllipsisDriveEmulator.StartAsync(
            new EllipsisDriveEmulatorOptions { TimeProvider = _time, AccessTokenLifetime = AccessTokenLifetime },
            TestContext.Current.CancellationToken);
        _drive.RegisterClient(ClientId, ClientSecret, new Uri(Origin, "/signin-ellipsis").AbsoluteUri);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie()
            .AddEllipsisDrive(Scheme, options =>
            {
                Configure(options);
                options.BaseAddress = _drive.BaseAddress;
                options.CallbackPath = "/signin-ellipsis";
                options.TimeProvider = _time;
            });
        builder.Services.AddEllipsisDriveApiClient();

        _app = builder.Build();
        _app.UseAuthentication();
        _app.MapGet("/challenge", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [Scheme]));
        _app.MapGet("/account", async (EllipsisDriveApiClient api) => (await api.GetAccountAsync()).Username);
        await _app.StartAsync(TestContext.Current.CancellationToken);

        var browser = new BrowserClient(_app.GetTestServer().CreateHandler(), Origin);
        using var challenge = await browser.GetAsync("/challenge");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var callback = await _drive.ConsentAsync(challenge.Headers.Location!, "alice", allow: true, TestContext.Current.CancellationToken);
        using var signedIn = await browser.GetAsync(callback);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        _drive.ClearRequests(); // The sign-in's own calls; the tests look at what the token layer sends.
        return browser;
    }
}
