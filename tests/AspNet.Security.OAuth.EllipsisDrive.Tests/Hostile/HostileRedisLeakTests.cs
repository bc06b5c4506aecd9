using System.Net;
using System.Text;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.WebFarm;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// Server mode on a real Redis: after sign-ins, a refresh, a failed refresh and a sign-out, nothing at rest in Redis
/// (keys or values) holds a token, a code, a verifier or the client secret; and the old cookie finds no session.
/// </summary>
public sealed class HostileRedisLeakTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Category", "Hostile")]
    public async Task Hostile_Redis_values_at_rest_hold_no_secret_and_a_replayed_cookie_after_sign_out_is_rejected()
    {
        redis.RequireRedis();
        await using var connection = await redis.ConnectAsync();
        var prefix = "hostile-" + Guid.NewGuid().ToString("N") + ":";
        using var store = new RedisCache(new RedisCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult(connection),
            InstanceName = prefix,
        });
        await using var app = await HostileApp.StartAsync(sessions: true, store: store);
        using var alice = app.Host.NewBrowser();
        using var bob = app.Host.NewBrowser();

        Assert.Equal(HttpStatusCode.Redirect, (await app.Host.SignInAsync(browser: alice)).Callback.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await app.Host.SignInAsync("bob", bob)).Callback.StatusCode);
        app.Host.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal("ok", await GetStringAsync(alice, "/hostile/token")); // refreshed: session and successor entries written
        app.Host.Emulator.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 400, Body = """{"error":"invalid_grant"}""" });
        using (var failed = await bob.GetAsync("/hostile/token"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode); // bob's session ended: rejected marker written
        }

        var aliceCookies = alice.Cookies.GetCookieHeader(alice.BaseAddress);
        Assert.Equal("signed-out", await GetStringAsync(alice, "/hostile/signout"));
        var replay = await app.Raw.SendAsync(HttpMethods.Get, "/hostile/whoami", string.Empty, aliceCookies, Ct);
        Assert.Equal("anonymous", replay.Body);

        var atRest = await ReadAllAsync(connection, prefix);
        Assert.NotEmpty(atRest);
        Assert.Contains(app.Host.Emulator.Requests, r => r.Endpoint == EmulatorEndpoint.TokenRefresh);
        Assert.Empty(app.UnhandledErrors());
        var leaks = app.ScanForLeaks([
            .. atRest,
            .. alice.Responses.Concat(bob.Responses).Select(r => ($"browser {r.RequestUri.AbsolutePath}", string.Join('\n', r.Headers.Where(h => h.Key != "Location").Select(h => h.Value)) + "\n" + r.Body))]);
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }

    /// <summary>Every key under <paramref name="prefix"/> and every field of its hash, as text.</summary>
    private static async Task<List<(string Where, string Text)>> ReadAllAsync(IConnectionMultiplexer connection, string prefix)
    {
        var database = connection.GetDatabase();
        var texts = new List<(string Where, string Text)>();
        foreach (var server in connection.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: prefix + "*"))
            {
                var builder = new StringBuilder(key.ToString()).Append('\n');
                foreach (var field in await database.HashGetAllAsync(key))
                {
                    builder.Append(field.Name.ToString()).Append('=').Append(Encoding.UTF8.GetString((byte[])field.Value!)).Append('\n');
                }

                texts.Add(($"redis {key}", builder.ToString()));
            }
        }

        return texts;
    }

    private static async Task<string> GetStringAsync(Infrastructure.BrowserClient browser, string path)
    {
        using var response = await browser.GetAsync(path);
        return await response.Content.ReadAsStringAsync(Ct);
    }
}
