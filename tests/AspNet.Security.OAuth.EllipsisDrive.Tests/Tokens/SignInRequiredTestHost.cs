using System.Security.Claims;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// An app as the README sets it up (cookie default scheme, Ellipsis Drive default challenge scheme, pointed at the
/// emulator), with the token service and, unless told otherwise, <c>UseEllipsisDriveSignInRequired()</c> and nothing
/// else catching exceptions. Users sign in through the real handler and the emulator's consent. Endpoints that need
/// the access token answer its fingerprint only.
/// </summary>
internal sealed class SignInRequiredTestHost : IAsyncDisposable
{
    public const string ClientId = "signin-required-client";
    public const string ClientSecret = "signin-required-secret";
    public const string Html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    public static readonly Uri Origin = new("https://localhost/");

    private readonly WebApplication _app;

    private SignInRequiredTestHost(WebApplication app, EllipsisDriveEmulator drive)
    {
        _app = app;
        Drive = drive;
        Browser = new BrowserClient(app.GetTestServer().CreateHandler(), Origin);
    }

    public EllipsisDriveEmulator Drive { get; }

    public BrowserClient Browser { get; }

    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public static async Task<SignInRequiredTestHost> StartAsync(
        EllipsisDriveEmulator drive,
        FakeTimeProvider time,
        bool serverMode = false,
        bool useMiddleware = true,
        bool developerExceptionPage = false,
        bool problemDetails = false)
    {
        drive.RegisterClient(ClientId, ClientSecret, new Uri(Origin, EllipsisDriveDefaults.CallbackPath).AbsoluteUri);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services
            .AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = EllipsisDriveDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddEllipsisDrive(options =>
            {
                options.ClientId = ClientId;
                options.ClientSecret = ClientSecret;
                options.BaseAddress = drive.BaseAddress;
                options.TimeProvider = time;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddEllipsisDriveTokens();
        if (serverMode)
        {
            builder.Services.AddEllipsisDriveSessions();
        }

        builder.Services.AddEllipsisDriveApiClient();
        builder.Services.AddControllers().ConfigureApplicationPartManager(parts =>
        {
            parts.ApplicationParts.Clear();
            parts.ApplicationParts.Add(new AssemblyPart(typeof(SignInRequiredTestController).Assembly));
        });
        if (problemDetails)
        {
            builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context => context.ProblemDetails.Extensions["app"] = "customized");
        }

        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());

        var app = builder.Build();
        if (developerExceptionPage)
        {
            app.UseDeveloperExceptionPage();
        }

        app.UseAuthentication();
        app.UseAuthorization();
        if (useMiddleware)
        {
            app.UseEllipsisDriveSignInRequired();
        }

        app.MapGet("/signin", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/whoami" }, [EllipsisDriveDefaults.AuthenticationScheme]));
        app.MapGet("/whoami", (ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier)! : "anonymous");

        // A minimal API: returns an object, so it declares JSON responses.
        app.MapGet("/api/token", async (HttpContext context, IEllipsisDriveTokenService tokens) =>
            new TokenAnswer(TokenTestHost.Fingerprint(await tokens.GetAccessTokenAsync(context, context.RequestAborted))));

        // The typed client: the exception comes out of its HttpClient handler.
        app.MapGet("/api/account", async (EllipsisDriveApiClient api) => new TokenAnswer((await api.GetAccountAsync()).Username ?? "?"));

        // A page.
        app.MapMethods("/page", [HttpMethods.Get, HttpMethods.Post], async (HttpContext context, IEllipsisDriveTokenService tokens) =>
            Results.Content("<p>" + TokenTestHost.Fingerprint(await tokens.GetAccessTokenAsync(context, context.RequestAborted)) + "</p>", "text/html"));

        app.MapGet("/page-after-body", async (HttpContext context, IEllipsisDriveTokenService tokens) =>
        {
            await context.Response.WriteAsync("<p>started</p>");
            await context.Response.WriteAsync(TokenTestHost.Fingerprint(await tokens.GetAccessTokenAsync(context, context.RequestAborted)));
        });

        app.MapGet("/secure", () => Results.Text("secret")).RequireAuthorization();
        app.MapGet("/boom", string () => throw new InvalidOperationException("Not a sign-in problem."));
        app.MapControllers();

        await app.StartAsync(TestContext.Current.CancellationToken);
        return new SignInRequiredTestHost(app, drive);
    }

    /// <summary>Signs <paramref name="user"/> in through the handler: challenge, consent at the emulator, callback.</summary>
    public async Task SignInAsync(string user = "alice")
    {
        using var challenge = await Browser.GetAsync("/signin");
        var callback = await Drive.ConsentAsync(challenge.Headers.Location!, user, allow: true, TestContext.Current.CancellationToken);
        using var signedIn = await Browser.GetAsync(callback);
        Assert.Equal("/whoami", signedIn.Headers.Location?.OriginalString);
    }

    /// <summary>Sends a request with the given headers (name, value) from <see cref="Browser"/>.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Browser.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record TokenAnswer(string Fingerprint);
}

/// <summary>An MVC controller (not an [ApiController]): what it answers depends on the request.</summary>
[Route("mvc")]
public sealed class SignInRequiredTestController(IEllipsisDriveTokenService tokens) : ControllerBase
{
    [HttpGet("token")]
    public async Task<IActionResult> Token() =>
        Content(TokenTestHost.Fingerprint(await tokens.GetAccessTokenAsync(HttpContext, HttpContext.RequestAborted)), "text/plain");

    [Authorize]
    [HttpGet("secure")]
    public IActionResult Secure() => Content("secret", "text/plain");
}
