using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Sessions;

/// <summary>The real handler's sign-in (shared test host) with server-side sessions and the token service behind it.</summary>
public sealed class HandlerSessionTests
{
    [Fact]
    public async Task Server_mode_with_the_real_handler_keeps_a_small_cookie_and_the_tokens_on_the_server()
    {
        await using var serverHost = await EllipsisDriveTestHost.StartAsync(configureServices: s => s.AddEllipsisDriveSessions());
        await serverHost.SignInAsync();
        var serverCookie = AuthCookieLength(serverHost.Browser);
        var tokens = await serverHost.Browser.GetTokenNamesAsync();

        await using var cookieHost = await EllipsisDriveTestHost.StartAsync();
        await cookieHost.SignInAsync();
        var cookieModeCookie = AuthCookieLength(cookieHost.Browser);

        TestContext.Current.TestOutputHelper?.WriteLine($"Real handler auth cookie: server mode {serverCookie} bytes, cookie mode {cookieModeCookie} bytes.");
        Assert.InRange(serverCookie, 1, 512);
        Assert.True(cookieModeCookie > serverCookie);
        Assert.Contains("refresh_token", tokens!.Value.Names);
        serverHost.LeakScanner().AssertNoLeaks();
    }

    [Fact]
    public async Task Refresh_after_a_real_sign_in_saves_into_the_session_without_a_response()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync(configureServices: s =>
        {
            s.AddEllipsisDriveSessions();
            s.AddSingleton<IStartupFilter, TokenEndpoint>();
        });
        await host.SignInAsync();
        var signedIn = await ReadAsync(host.Browser, "/test/token");
        host.Time.Advance(TimeSpan.FromHours(1));

        var refreshed = await ReadAsync(host.Browser, "/test/token");
        var again = await ReadAsync(host.Browser, "/test/token");

        Assert.NotEqual(signedIn, refreshed);
        Assert.Equal(refreshed, again);
        Assert.Equal(1, host.Emulator.CountRequests(EmulatorEndpoint.TokenRefresh));
        host.LeakScanner().AssertNoLeaks();
    }

    private static async Task<string> ReadAsync(BrowserClient browser, string path)
    {
        using var response = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private static int AuthCookieLength(BrowserClient browser)
    {
        var cookies = browser.CookiesFor("/").Where(c => c.Name.StartsWith(TestHostExtensions.AuthCookieName, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cookies);
        return cookies.Sum(c => c.Name.Length + 1 + c.Value.Length);
    }

    private sealed class TokenEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map("/test/token", branch => branch.Run(async context =>
            {
                var token = await context.RequestServices.GetRequiredService<IEllipsisDriveTokenService>().GetAccessTokenAsync(context, context.RequestAborted);
                await context.Response.WriteAsync(TokenTestHost.Fingerprint(token));
            }));
            next(app);
        };
    }
}
