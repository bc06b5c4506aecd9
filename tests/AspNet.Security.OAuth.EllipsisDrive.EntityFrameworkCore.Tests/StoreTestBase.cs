using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.EntityFrameworkCore.Tests;

/// <summary>
/// Nodes of a farm over one database: each node is a service provider of its own (its own store, lock, schema
/// initializer and connection pool), sharing the database, the Data Protection keys and the clock.
/// </summary>
public abstract class StoreTestBase : IAsyncDisposable
{
    private readonly List<ServiceProvider> _nodes = [];

    protected StoreTestBase(TestDatabase database) => Database = database;

    protected TestDatabase Database { get; }

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    /// <summary>Gets the Data Protection keys the nodes share.</summary>
    protected IDataProtectionProvider Keys { get; } = new EphemeralDataProtectionProvider();

    /// <summary>Starts a node, with the shared keys unless <paramref name="keys"/> says otherwise.</summary>
    protected ServiceProvider StartNode(IDataProtectionProvider? keys = null)
    {
        Database.Require();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(keys ?? Keys);
        services.AddEllipsisDriveEntityFrameworkCoreStore(Database.Configure);
        var node = services.BuildServiceProvider();
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// Starts a node that has created (or found) the schema, so that a race the test sets up is about the data and not
    /// about two nodes creating the tables at once (which works, see the schema test, but logs the losing statement).
    /// </summary>
    protected async Task<ServiceProvider> StartWarmNodeAsync()
    {
        var node = StartNode();
        await StoreOf(node).GetAsync("warm-up", "warm-up", TestContext.Current.CancellationToken);
        return node;
    }

    /// <summary>Asserts that no node logged a warning or worse (a race that the store or the lock expects is no error).</summary>
    protected void AssertNothingLoggedAboveInformation()
    {
        var logged = _nodes.SelectMany(node => node.GetFakeLogCollector().GetSnapshot()).Where(record => record.Level >= LogLevel.Warning).ToList();
        Assert.True(logged.Count == 0, string.Join(Environment.NewLine, logged.Select(record => $"{record.Level} {record.Category}: {record.Message}")));
    }

    protected static IEllipsisDriveTokenStore StoreOf(ServiceProvider node) => node.GetRequiredService<IEllipsisDriveTokenStore>();

    private protected static IEllipsisDriveRefreshLock LockOf(ServiceProvider node) => node.GetRequiredService<IEllipsisDriveRefreshLock>();

    /// <summary>Reads a column of a table as the database holds it, past the store.</summary>
    protected static async Task<List<string>> ReadRawAsync(ServiceProvider node, string table, string column)
    {
        await using var context = await node.GetRequiredService<IDbContextFactory<EllipsisDriveTokenDbContext>>().CreateDbContextAsync();
#pragma warning disable EF1002 // The names are the test's own constants.
        return await context.Database.SqlQueryRaw<string>($"SELECT CAST(\"{column}\" AS TEXT) AS \"Value\" FROM \"{table}\"").ToListAsync();
#pragma warning restore EF1002
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
