using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.WebFarm;

public sealed class RedisWebFarmTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow); // Real time: see TokenTestBase.Time.
    private readonly string _farm = "farm-" + Guid.NewGuid().ToString("N");
    private EllipsisDriveEmulator? _drive;
    private FarmNode? _a;
    private FarmNode? _b;

    private EllipsisDriveEmulator Drive => _drive!;

    public async ValueTask InitializeAsync()
    {
        if (redis.Binary is null)
        {
            return;
        }

        _drive = await EllipsisDriveEmulator.StartAsync(
            new EllipsisDriveEmulatorOptions { TimeProvider = _time, AccessTokenLifetime = AccessTokenLifetime, RotateRefreshTokens = true },
            TestContext.Current.CancellationToken);
        _a = await FarmNode.StartAsync(redis, _drive, _time, _farm);
        _b = await FarmNode.StartAsync(redis, _drive, _time, _farm);
    }

    [Fact]
    public async Task Redis_TwoNodes_signed_in_on_A_is_authenticated_on_B()
    {
        redis.RequireRedis();
        using var onA = _a!.Host.CreateBrowser();
        await SignInAsync(_a, onA);
        using var onB = _b!.Host.CreateBrowser();
        onB.CopyCookiesFrom(onA);

        Assert.Equal("alice", await onB.GetStringAsync("/test/whoami"));
        Assert.Equal(await onA.GetStringAsync("/test/token"), await onB.GetStringAsync("/test/token"));
    }

    [Fact]
    public async Task Redis_TwoNodes_sign_out_on_A_rejects_the_cookie_on_B()
    {
        redis.RequireRedis();
        using var onA = _a!.Host.CreateBrowser();
        await SignInAsync(_a, onA);
        using var onB = _b!.Host.CreateBrowser();
        onB.CopyCookiesFrom(onA);
        Assert.Equal("alice", await onB.GetStringAsync("/test/whoami"));

        await onA.GetStringAsync("/test/signout");

        Assert.Equal("anonymous", await onB.GetStringAsync("/test/whoami"));
    }

    [Fact]
    public async Task Redis_TwoNodes_Refresh_of_an_expired_token_hit_100_times_in_parallel_on_both_nodes_makes_one_token_call()
    {
        redis.RequireRedis();
        using var onA = _a!.Host.CreateBrowser();
        await SignInAsync(_a, onA);
        using var onB = _b!.Host.CreateBrowser();
        onB.CopyCookiesFrom(onA);
        _time.Advance(AccessTokenLifetime);

        var requests = Enumerable.Range(0, 100).Select(i => Fetch(i % 2 == 0 ? onA : onB));
        var answers = await Task.WhenAll(requests);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        Assert.Equal(1, Drive.CountRequests(EmulatorEndpoint.TokenRefresh));
        Assert.Equal(0, _a.Host.RefreshFailedEvents + _b.Host.RefreshFailedEvents);
    }

    [Fact]
    public async Task Redis_TwoNodes_session_entries_hold_no_readable_token()
    {
        redis.RequireRedis();
        using var onA = _a!.Host.CreateBrowser();
        await SignInAsync(_a, onA);
        _time.Advance(AccessTokenLifetime);
        await onA.GetStringAsync("/test/token");

        var server = _a.Redis.GetServer(redis.EndPoint);
        var values = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: _farm + ":*"))
        {
            var database = _a.Redis.GetDatabase();
            switch (await database.KeyTypeAsync(key))
            {
                case StackExchange.Redis.RedisType.Hash:
                    values.AddRange((await database.HashGetAllAsync(key)).Select(entry => entry.Value.ToString()));
                    break;
                case StackExchange.Redis.RedisType.String:
                    values.Add((await database.StringGetAsync(key)).ToString());
                    break;
            }
        }

        Assert.NotEmpty(values);
        foreach (var secret in Drive.IssuedSecrets.Where(s => s.Length >= 16))
        {
            Assert.DoesNotContain(values, v => v.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static async Task SignInAsync(FarmNode node, BrowserClient browser)
    {
        using var signedIn = await node.Host.SignInAsync(browser);
        Assert.Equal("alice", await signedIn.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<(HttpStatusCode Status, string Body)> Fetch(BrowserClient browser)
    {
        using var response = await browser.GetAsync("/test/token");
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
        }

        if (_drive is not null)
        {
            await _drive.DisposeAsync();
        }
    }
}
