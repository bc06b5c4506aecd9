using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// Against a server that rotates refresh tokens, a spent refresh token is never sent again: not after a refresh that
/// only the successor cache knows of, not by a node that took the refresh lock just after another node released it.
/// </summary>
public sealed class RotationRaceTests : TokenTestBase
{
    [Fact]
    public async Task Cookie_mode_a_refresh_known_only_to_the_successor_cache_is_refreshed_again_from_its_new_refresh_token()
    {
        using var browser = await StartAndSignInAsync(serverMode: false, emulator: o => o.AccessTokenLifetime = TimeSpan.FromSeconds(90));

        // Refreshed while the response was already streaming: the cookie keeps the old, now spent, refresh token.
        Time.Advance(TimeSpan.FromSeconds(60));
        Assert.StartsWith("started;", await browser.GetStringAsync("/test/token-after-body"));
        Assert.Equal(1, TokenRefreshCalls);

        // The successor's access token is inside the refresh window too: refresh from the successor's refresh token.
        Time.Advance(TimeSpan.FromSeconds(40));
        using var response = await browser.GetAsync("/test/token");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, TokenRefreshCalls);
        Assert.Equal(0, Host.RefreshFailedEvents);
    }

    [Fact]
    public async Task Two_nodes_the_second_taking_the_lock_just_after_the_first_released_it_uses_the_first_ones_refresh()
    {
        await using var drive = await EllipsisDriveEmulator.StartAsync(
            new EllipsisDriveEmulatorOptions { TimeProvider = Time, AccessTokenLifetime = AccessTokenLifetime, RotateRefreshTokens = true },
            TestContext.Current.CancellationToken);
        var handOff = new HandOffLock();
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var keys = new EphemeralDataProtectionProvider();
        void Farm(IServiceCollection services)
        {
            services.AddSingleton<IDistributedCache>(cache);
            services.AddSingleton<IDataProtectionProvider>(keys);
            services.RemoveAll<IEllipsisDriveRefreshLock>();
            services.AddSingleton<IEllipsisDriveRefreshLock>(handOff);
        }

        await using var a = await TokenTestHost.StartAsync(drive, Time, serverMode: true, Farm);
        await using var b = await TokenTestHost.StartAsync(drive, Time, serverMode: true, Farm);
        using var onA = a.CreateBrowser();
        using (var signedIn = await a.SignInAsync(onA))
        {
            Assert.Equal("alice", await signedIn.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        using var onB = b.CreateBrowser();
        onB.CopyCookiesFrom(onA);
        ExpireAccessToken();

        var answers = await Task.WhenAll(onA.GetAsync("/test/token"), onB.GetAsync("/test/token"));

        Assert.All(answers, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, handOff.Handovers);
        Assert.Equal(1, drive.CountRequests(EmulatorEndpoint.TokenRefresh));
        Assert.Equal(
            await answers[0].Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
            await answers[1].Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task One_node_without_a_lock_a_request_that_started_before_a_rotation_joins_the_refresh_of_the_newer_token()
    {
        using var browser = await StartAndSignInAsync(serverMode: true, emulator: o => o.RotateRefreshTokens = true);
        var ct = TestContext.Current.CancellationToken;

        // A long request reads the session (refresh token 1) and waits before it asks for a token.
        var slow = browser.GetAsync("/test/token-after-gate");
        await Host.AtGate.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);

        // Meanwhile the session is refreshed (1 is spent, 2 is current), and its access token expires again.
        ExpireAccessToken();
        using (var refreshed = await browser.GetAsync("/test/token"))
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }

        Assert.Equal(1, TokenRefreshCalls);
        ExpireAccessToken();

        // Another request spends refresh token 2, slowly; the long request goes on while that refresh is under way.
        Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { Delay = TimeSpan.FromSeconds(1), Times = 1 });
        var current = browser.GetAsync("/test/token");
        await WaitUntilAsync(() => TokenRefreshCalls == 2);
        Host.Gate.SetResult();

        using var slowAnswer = await slow;
        using var currentAnswer = await current;

        // The long request follows its spent refresh token to 2 and joins the refresh of 2 under way: 2 is spent once.
        Assert.Equal(HttpStatusCode.OK, slowAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, currentAnswer.StatusCode);
        Assert.Equal(2, TokenRefreshCalls);
        Assert.Equal(0, Host.RefreshFailedEvents);
        Assert.Equal(await currentAnswer.Content.ReadAsStringAsync(ct), await slowAnswer.Content.ReadAsStringAsync(ct));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>
    /// A lock shared by two nodes that stages the race: the first node to arrive takes it only once the second has
    /// arrived (both have looked for a newer token and found none), and the second gets it right after the first released
    /// it, reported as uncontended, as a Redis lock taken just after its release is.
    /// </summary>
    private sealed class HandOffLock : IEllipsisDriveRefreshLock
    {
        private readonly SemaphoreSlim _mutex = new(1, 1);
        private readonly TaskCompletionSource _secondArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrivals;

        public int Handovers { get; private set; }

        public async Task<EllipsisDriveRefreshLockHandle> AcquireAsync(string refreshTokenHash, CancellationToken cancellationToken)
        {
            var arrival = Interlocked.Increment(ref _arrivals);
            if (arrival == 1)
            {
                await _secondArrived.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
            else if (arrival == 2)
            {
                _secondArrived.SetResult();
                Handovers++;
            }

            await _mutex.WaitAsync(cancellationToken);
            return new EllipsisDriveRefreshLockHandle(waited: false, () =>
            {
                _mutex.Release();
                return Task.CompletedTask;
            });
        }
    }
}
