using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Testing;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Bff.Tests;

/// <summary>
/// An app set up as docs/spa.md says (cookie sign-in, the Ellipsis Drive scheme, server-side sessions, the BFF
/// endpoints), on real Kestrel on a loopback port, signing in at the emulator. The proxy forwards to the emulator, or to
/// <see cref="FakeApi"/> when one is given (sign-in and refresh still go to the emulator). <see cref="Client"/> is a
/// browser stand-in: it keeps cookies, follows no redirect, and sends what a same-origin <c>fetch</c> from the SPA sends.
/// </summary>
internal sealed class BffTestHost : IAsyncDisposable
{
    public const string ClientId = "bff-tests";
    public const string ClientSecret = "bff-tests-secret";

    private readonly WebApplication _app;

    private BffTestHost(WebApplication app, EllipsisDriveEmulator drive, Uri baseAddress)
    {
        _app = app;
        Drive = drive;
        BaseAddress = baseAddress;
        Client = new HttpClient(new CookieJarHandler(Cookies) { InnerHandler = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false } })
        {
            BaseAddress = baseAddress,
        };
    }

    public EllipsisDriveEmulator Drive { get; }

    public Uri BaseAddress { get; }

    public CookieContainer Cookies { get; } = new();

    public HttpClient Client { get; }

    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public static async Task<BffTestHost> StartAsync(EllipsisDriveEmulator drive, Options? options = null)
    {
        options ??= new Options();
        var api = options.Api;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        // The hosting log writes every request URL, the callback's code included: as in the samples, only its warnings.
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Debug)
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Services
            .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.SameSite = options.CookieSameSite;
                cookie.Cookie.HttpOnly = true;
            })
            .AddEllipsisDrive(handler =>
            {
                handler.ClientId = ClientId;
                handler.ClientSecret = ClientSecret;
                handler.BaseAddress = api?.BaseAddress ?? drive.BaseAddress;
                // Sign-in and refresh stay at the emulator when the API calls go to a fake.
                handler.AuthorizationEndpoint = new Uri(drive.BaseAddress, EllipsisDriveDefaults.AuthorizationEndpointPath).AbsoluteUri;
                handler.TokenEndpoint = new Uri(drive.BaseAddress, EllipsisDriveDefaults.TokenEndpointPath).AbsoluteUri;
                handler.UserInformationEndpoint = new Uri(drive.BaseAddress, EllipsisDriveDefaults.UserInformationEndpointPath).AbsoluteUri;
                // Plain http on loopback: the state cookie cannot be Secure for this client's cookie jar to send it back.
                handler.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            });
        builder.Services.AddAuthorization();
        if (!options.CookieMode)
        {
            builder.Services.AddEllipsisDriveSessions();
        }
        builder.Services.AddEllipsisDriveBff(options.Configure);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapEllipsisDriveApi();
        app.MapEllipsisDriveBff();
        options.Map?.Invoke(app);
        await app.StartAsync(TestContext.Current.CancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var baseAddress = new Uri(address.TrimEnd('/') + "/");
        drive.RegisterClient(ClientId, ClientSecret, new Uri(baseAddress, EllipsisDriveDefaults.CallbackPath).AbsoluteUri);
        return new BffTestHost(app, drive, baseAddress);
    }

    /// <summary>Signs in through <c>/bff/login</c>: the challenge, the user's consent at the emulator, the callback.</summary>
    public async Task SignInAsync(string user = "alice")
    {
        var location = await SignInReturningToAsync("/", user);
        Assert.True(location == "/", $"The callback sent the browser to {location ?? "nowhere"}: " + string.Join(" | ", Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Select(r => r.Message)));
    }

    /// <summary>Signs in through <c>/bff/login?returnUrl=</c> and returns where the callback sends the browser.</summary>
    public async Task<string?> SignInReturningToAsync(string returnUrl, string user = "alice")
    {
        using var login = await Client.GetAsync("/bff/login?returnUrl=" + Uri.EscapeDataString(returnUrl), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var callback = await Drive.ConsentAsync(login.Headers.Location!, user, allow: true, TestContext.Current.CancellationToken);
        using var signedIn = await Client.GetAsync(callback, TestContext.Current.CancellationToken);
        return signedIn.Headers.Location?.OriginalString;
    }

    /// <summary>A request as the SPA's <c>fetch</c> sends it: same-origin, with the CSRF header.</summary>
    public static HttpRequestMessage Fetch(HttpMethod method, string path, bool csrf = true, string site = "same-origin")
    {
        var request = new HttpRequestMessage(method, path);
        if (csrf)
        {
            request.Headers.Add("X-CSRF", "1");
        }

        request.Headers.Add("Sec-Fetch-Site", site);
        request.Headers.Add("Sec-Fetch-Mode", site == "same-origin" ? "same-origin" : "cors");
        request.Headers.Add("Accept", "application/json");
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead) =>
        Client.SendAsync(request, completion, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>How to start the host.</summary>
    public sealed class Options
    {
        /// <summary>Gets the fake API to forward to instead of the emulator.</summary>
        public FakeApi? Api { get; init; }

        /// <summary>Gets the BFF options to apply.</summary>
        public Action<EllipsisDriveBffOptions>? Configure { get; init; }

        /// <summary>Gets a value indicating whether the tokens stay in the auth cookie (no server-side sessions).</summary>
        public bool CookieMode { get; init; }

        /// <summary>Gets the SameSite mode of the session cookie. The default is <see cref="SameSiteMode.Strict"/>.</summary>
        public SameSiteMode CookieSameSite { get; init; } = SameSiteMode.Strict;

        /// <summary>Gets more endpoints to map.</summary>
        public Action<WebApplication>? Map { get; init; }
    }
}
