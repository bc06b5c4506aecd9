using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Testing;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.WebFarm;

/// <summary>
/// Two nodes sharing one PostgreSQL database for users' grants and the refresh lock (the EF Core package), and the Data
/// Protection keys: a user's grant is refreshed once however many callers on both nodes ask, in the background.
/// </summary>
[Collection(PostgresServer.Name)]
public sealed class PostgresWebFarmTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _keys = Directory.CreateTempSubdirectory("ellipsisdrive-farm-keys-").FullName;
    private readonly string _database = "farm_" + Guid.NewGuid().ToString("N");
    private EllipsisDriveEmulator? _drive;
    private TokenTestHost? _a;
    private TokenTestHost? _b;

    public async ValueTask InitializeAsync()
    {
        _drive = await EllipsisDriveEmulator.StartAsync(
            new EllipsisDriveEmulatorOptions { TimeProvider = _time, AccessTokenLifetime = TimeSpan.FromHours(1), RotateRefreshTokens = true },
            TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Postgres_TwoNodes_refresh_one_users_grant_100_times_in_parallel_with_one_token_call()
    {
        postgres.Require();
        await postgres.CreateDatabaseAsync(_database);
        _a = await TokenTestHost.StartAsync(_drive!, _time, serverMode: false, Node);
        _b = await TokenTestHost.StartAsync(_drive!, _time, serverMode: false, Node);
        using (var browser = _a.CreateBrowser())
        using (var signedIn = await _a.SignInAsync(browser))
        {
            Assert.Equal("alice", await signedIn.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var alice = _drive!.Users.Single(u => u.Username == "alice").Id;
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var onA = _a.Services.GetRequiredService<IEllipsisDriveTokenService>();
        var onB = _b.Services.GetRequiredService<IEllipsisDriveTokenService>();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            (i % 2 == 0 ? onA : onB).GetAccessTokenForUserAsync(alice, cancellationToken: TestContext.Current.CancellationToken)));

        Assert.Equal(1, _drive.CountRequests(EmulatorEndpoint.TokenRefresh));
        Assert.Single(tokens.Distinct());
        Assert.Equal(1, _a.Refreshes.Count + _b.Refreshes.Count);
        Assert.Equal(0, _a.RefreshFailedEvents + _b.RefreshFailedEvents);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in new[] { _a, _b })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        if (_drive is not null)
        {
            await _drive.DisposeAsync();
        }

        Directory.Delete(_keys, recursive: true);
    }

    private void Node(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("postgres-farm").PersistKeysToFileSystem(new DirectoryInfo(_keys));
        services.AddEllipsisDriveEntityFrameworkCoreStore(options => options.UseNpgsql(postgres.ConnectionString(_database)));
    }
}
