using System.Text.Json;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// A page of another origin, in the same browser as the signed-in user, tries the SPA's endpoints: with the CSRF header
/// (needs a CORS preflight the app does not grant), and without it as a "simple" request (no preflight, the browser sends
/// it: the app must refuse it). Served on a second loopback port, as <c>localhost</c> (another site: the SameSite=Strict
/// cookie stays home) and as <c>127.0.0.1</c> (the same site on another port: the cookie is sent, and only the app's own
/// checks stand in the way).
/// </summary>
public sealed class SpaCrossSiteTests(BrowserFixture browser, SpaSampleAppFixture app) : SpaBrowserTest(browser, app), IClassFixture<SpaSampleAppFixture>
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task A_page_of_another_origin_cannot_call_the_proxy_read_the_user_or_sign_the_user_out(string attackerHost)
    {
        await SignInAsync("alice");
        var listingsBefore = App.Drive.CountRequests(EmulatorEndpoint.ListRoot);
        await using var attacker = await AttackerSite.StartAsync(App.BaseAddress);

        await Page.GotoAsync(attacker.Url(attackerHost));
        await Page.WaitForFunctionAsync("() => window.results && window.results.done === true", null, new() { PollingInterval = 50 });
        var results = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await Page.EvaluateAsync<string>("() => JSON.stringify(window.results)"))!;

        Assert.Equal("blocked", results["proxyWithHeader"].GetString());
        Assert.Equal("blocked", results["userWithHeader"].GetString());
        Assert.Equal("opaque", results["proxySimple"].GetString());
        Assert.Equal(listingsBefore, App.Drive.CountRequests(EmulatorEndpoint.ListRoot));

        // What the app answered to the requests the browser did send (the simple ones): refusals, never data.
        var attacks = (await ReceivedResponsesAsync())
            .Where(r => new Uri(r.Url).AbsolutePath is "/bff/logout" || new Uri(r.Url).AbsolutePath.StartsWith("/api/ellipsis/", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(attacks);
        Assert.All(attacks, r => Assert.Equal(403, r.Status));

        // Still signed in: the logout POST changed nothing.
        await Page.GotoAsync(App.Url("/"));
        await Assertions.Expect(Page.Locator("#user-name")).ToHaveTextAsync("alice");
        Assert.Equal(200, await ListMyDriveAsync());
    }

    /// <summary>The attacker's server: one page whose script tries the SPA's endpoints and records what it could do.</summary>
    private sealed class AttackerSite : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly int _port;

        private AttackerSite(WebApplication app, int port)
        {
            _app = app;
            _port = port;
        }

        public string Url(string host) => $"http://{host}:{_port}/";

        public static async Task<AttackerSite> StartAsync(Uri victim)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var page = Page.Replace("VICTIM", JsonSerializer.Serialize(victim.AbsoluteUri), StringComparison.Ordinal);
            app.MapGet("/", () => Results.Content(page, "text/html"));
            await app.StartAsync(TestContext.Current.CancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new AttackerSite(app, new Uri(address).Port);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private const string Page = """
            <!doctype html>
            <html><body><p>A page of another origin.</p>
            <script>
            const victim = VICTIM;
            window.results = {};
            async function attempt(name, url, init, read) {
              try {
                const response = await fetch(url, { credentials: 'include', ...init });
                results[name] = read ? 'read:' + response.status + ':' + (await response.text()).length : response.type;
              } catch {
                results[name] = 'blocked';
              }
            }
            (async () => {
              await attempt('proxyWithHeader', victim + 'api/ellipsis/account/root/myDrive', { headers: { 'X-CSRF': '1' } }, true);
              await attempt('userWithHeader', victim + 'bff/user', { headers: { 'X-CSRF': '1' } }, true);
              await attempt('proxySimple', victim + 'api/ellipsis/account/root/myDrive', { mode: 'no-cors' }, false);
              await attempt('logoutSimple', victim + 'bff/logout', { method: 'POST', mode: 'no-cors' }, false);
              results.done = true;
            })();
            </script></body></html>
            """;
    }
}
