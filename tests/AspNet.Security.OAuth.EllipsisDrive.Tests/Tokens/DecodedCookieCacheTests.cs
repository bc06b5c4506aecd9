using System.Net;
using System.Security.Claims;
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

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// The auth cookie of the scheme holding the Ellipsis Drive sign-in is decrypted and deserialized once per cookie
/// value: later requests with the same cookie get a copy. Same cookies as without it; every caller its own ticket.
/// </summary>
public sealed class DecodedCookieCacheTests
{
    private readonly CountingDataProtectionProvider _protection = new();

    [Fact]
    public void The_same_cookie_value_is_unprotected_once_and_every_caller_gets_its_own_copy()
    {
        var format = new EllipsisDriveDecodedCookieCache(new TicketDataFormat(_protection.CreateProtector("test")));
        var cookie = format.Protect(Ticket("alice", "token-1"));

        var first = format.Unprotect(cookie)!;
        first.Properties.UpdateTokenValue("access_token", "changed-by-a-caller");
        first.Properties.ExpiresUtc = DateTimeOffset.MaxValue;
        ((ClaimsIdentity)first.Principal.Identity!).AddClaim(new Claim(ClaimTypes.Role, "admin"));
        var second = format.Unprotect(cookie)!;
        var third = format.Unprotect(cookie)!;

        Assert.Equal(1, _protection.Unprotects);
        Assert.NotSame(second, third);
        Assert.NotSame(second.Principal, third.Principal);
        Assert.Equal("token-1", second.Properties.GetTokenValue("access_token"));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero), second.Properties.ExpiresUtc);
        Assert.False(second.Principal.IsInRole("admin"));
        Assert.Equal("alice", third.Principal.Identity!.Name);
        Assert.Equal(CookieAuthenticationDefaults.AuthenticationScheme, third.AuthenticationScheme);
    }

    [Fact]
    public void A_tampered_or_foreign_value_is_rejected_every_time_and_never_kept()
    {
        var format = new EllipsisDriveDecodedCookieCache(new TicketDataFormat(_protection.CreateProtector("test")));
        var cookie = format.Protect(Ticket("alice", "token-1"));
        var tampered = cookie[..^4] + (cookie[^4] == 'A' ? "B" : "A") + cookie[^3..];
        var foreign = new TicketDataFormat(_protection.CreateProtector("another purpose")).Protect(Ticket("mallory", "token-2"));

        Assert.Null(format.Unprotect(tampered));
        Assert.Null(format.Unprotect(tampered));
        Assert.Null(format.Unprotect(foreign));
        Assert.Null(format.Unprotect(string.Empty));
        Assert.Null(format.Unprotect(null));

        // Each rejected value went to Data Protection again (the empty one too: the standard format tries it); null never does.
        Assert.Equal(4, _protection.Unprotects);
        Assert.Equal("alice", format.Unprotect(cookie)!.Principal.Identity!.Name);
    }

    [Fact]
    public void A_value_protected_with_a_purpose_is_unprotected_each_time_with_that_purpose()
    {
        var format = new EllipsisDriveDecodedCookieCache(new TicketDataFormat(_protection.CreateProtector("test")));
        var cookie = format.Protect(Ticket("alice", "token-1"), "binding-1");

        Assert.Equal("alice", format.Unprotect(cookie, "binding-1")!.Principal.Identity!.Name);
        Assert.Equal("alice", format.Unprotect(cookie, "binding-1")!.Principal.Identity!.Name);
        Assert.Null(format.Unprotect(cookie, "binding-2"));
        Assert.Null(format.Unprotect(cookie));

        Assert.Equal(4, _protection.Unprotects);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_sign_in_cookie_scheme_gets_the_cache_whether_the_tokens_or_the_cookie_were_registered_first(bool tokensFirst)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IDataProtectionProvider>(_protection);
        if (tokensFirst)
        {
            services.AddEllipsisDriveTokens();
        }

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie().AddCookie("Other");
        if (!tokensFirst)
        {
            services.AddEllipsisDriveTokens();
        }

        using var provider = services.BuildServiceProvider();
        var cookies = provider.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>();
        var options = cookies.Get(CookieAuthenticationDefaults.AuthenticationScheme);

        var cache = Assert.IsType<EllipsisDriveDecodedCookieCache>(options.TicketDataFormat);
        Assert.IsType<TicketDataFormat>(cache.Inner);
        // The cookie handler's own defaults are all there, whichever post-configure ran first.
        Assert.Equal(".AspNetCore.Cookies", options.Cookie.Name);
        Assert.IsType<ChunkingCookieManager>(options.CookieManager);
        Assert.Same(_protection, options.DataProtectionProvider);
        Assert.IsType<TicketDataFormat>(cookies.Get("Other").TicketDataFormat);
    }

    [Fact]
    public void The_scheme_named_in_the_token_options_gets_it_and_a_format_the_app_set_is_left_alone()
    {
        var custom = new TicketDataFormat(_protection.CreateProtector("custom"));
        var services = new ServiceCollection();
        services.AddSingleton<IDataProtectionProvider>(_protection);
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie()
            .AddCookie("Drive")
            .AddCookie("Custom", options => options.TicketDataFormat = new CustomFormat(custom));
        services.AddEllipsisDriveTokens(options => options.CookieScheme = "Drive");
        using (var provider = services.BuildServiceProvider())
        {
            var cookies = provider.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>();
            Assert.IsType<EllipsisDriveDecodedCookieCache>(cookies.Get("Drive").TicketDataFormat);
            Assert.IsType<TicketDataFormat>(cookies.Get(CookieAuthenticationDefaults.AuthenticationScheme).TicketDataFormat);
        }

        services.Configure<EllipsisDriveTokenOptions>(options => options.CookieScheme = "Custom");
        using (var provider = services.BuildServiceProvider())
        {
            Assert.IsType<CustomFormat>(provider.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get("Custom").TicketDataFormat);
        }
    }

    [Fact]
    public void Turned_off_the_cookie_scheme_keeps_the_standard_format()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IDataProtectionProvider>(_protection);
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        services.AddEllipsisDriveTokens(options => options.CacheDecodedCookies = false);
        using var provider = services.BuildServiceProvider();

        Assert.IsType<TicketDataFormat>(provider.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme).TicketDataFormat);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Cookies_pass_between_an_app_with_the_cache_and_one_without(bool issuerCaches, bool readerCaches)
    {
        await using var issuer = await CookieAppAsync(issuerCaches);
        await using var reader = await CookieAppAsync(readerCaches);
        var cookie = await SignInAsync(issuer, "alice");

        using var client = reader.GetTestClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("alice", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 5)]
    public async Task Five_requests_with_one_cookie_decrypt_it_once_with_the_cache_and_five_times_without(bool caches, int unprotects)
    {
        await using var app = await CookieAppAsync(caches);
        var cookie = await SignInAsync(app, "alice");
        var before = _protection.Unprotects;

        using var client = app.GetTestClient();
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
            request.Headers.Add("Cookie", cookie);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal("alice", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        Assert.Equal(unprotects, _protection.Unprotects - before);
    }

    private static AuthenticationTicket Ticket(string user, string accessToken)
    {
        var properties = new AuthenticationProperties { ExpiresUtc = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero) };
        properties.StoreTokens([new AuthenticationToken { Name = "access_token", Value = accessToken }]);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user, ClaimValueTypes.String, EllipsisDriveDefaults.AuthenticationScheme)], EllipsisDriveDefaults.AuthenticationScheme);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), properties, CookieAuthenticationDefaults.AuthenticationScheme);
    }

    private async Task<WebApplication> CookieAppAsync(bool withTokens)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IDataProtectionProvider>(_protection);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        if (withTokens)
        {
            builder.Services.AddEllipsisDriveTokens();
        }

        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/signin", async (HttpContext context, string user) =>
            await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], "test"))));
        app.MapGet("/whoami", (HttpContext context) => context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name! : "anonymous");
        await app.StartAsync(TestContext.Current.CancellationToken);
        var cookies = app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        Assert.Equal(withTokens, cookies.TicketDataFormat is EllipsisDriveDecodedCookieCache);
        return app;
    }

    private static async Task<string> SignInAsync(WebApplication app, string user)
    {
        using var client = app.GetTestClient();
        using var response = await client.GetAsync(new Uri("/signin?user=" + user, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(response.Headers.GetValues("Set-Cookie")).Split(';')[0];
    }

    private sealed class CustomFormat(ISecureDataFormat<AuthenticationTicket> inner) : ISecureDataFormat<AuthenticationTicket>
    {
        public string Protect(AuthenticationTicket data) => inner.Protect(data);

        public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

        public AuthenticationTicket? Unprotect(string? protectedText) => inner.Unprotect(protectedText);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose) => inner.Unprotect(protectedText, purpose);
    }
}
