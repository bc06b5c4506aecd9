using System.Text;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

public sealed class SecretLeakTests : TokenTestBase
{
    [Fact]
    public async Task Refresh_leaves_no_token_in_cache_values_logs_urls_or_response_bodies()
    {
        var cache = new RecordingDistributedCache();
        using var browser = await StartAndSignInAsync(
            serverMode: true,
            services: s => s.AddSingleton<IDistributedCache>(cache));
        var bodies = new List<string> { await browser.GetStringAsync("/test/token"), await browser.GetStringAsync("/test/account") };
        ExpireAccessToken();
        bodies.Add(await browser.GetStringAsync("/test/token"));
        Drive.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 401, Body = """{"message":"no"}""" });
        bodies.Add(await browser.GetStringAsync("/test/account"));
        ExpireAccessToken();
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 503, Body = """{"message":"down"}""" });
        bodies.Add(await browser.GetStringAsync("/test/token"));
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 400, Body = """{"error":"invalid_grant"}""" });
        bodies.Add(await browser.GetStringAsync("/test/token"));

        var secrets = Drive.IssuedSecrets.Where(s => s.Length >= 16).ToList();
        Assert.True(secrets.Count >= 4, "the emulator should have issued access and refresh tokens");
        Assert.True(cache.Values.Count >= 3, "the session and successor entries should have been written");

        // As in LeakScanner: the hosting diagnostics log every request URL, the provider's callback query (its code) too.
        var logs = Host.Logs.GetSnapshot()
            .Where(r => r.Category != LeakScanner.HostingDiagnosticsCategory)
            .Select(r => r.Message + " " + r.Exception).ToList();
        var appUrls = Drive.Requests.Where(r => r.Endpoint is not (EmulatorEndpoint.Authorize or EmulatorEndpoint.Consent)).Select(r => r.Path + r.QueryString).ToList();
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(cache.Values, value => Encoding.UTF8.GetString(value).Contains(secret, StringComparison.Ordinal)
                || Encoding.Latin1.GetString(value).Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(logs, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(appUrls, url => url.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(bodies, body => body.Contains(secret, StringComparison.Ordinal));
        }
    }
}
