using AspNet.Security.OAuth.EllipsisDrive.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.EntityFrameworkCore.Tests;

public sealed class SqliteRefreshLeaseTests() : RefreshLeaseTests(new SqliteTestDatabase());

[Collection(PostgresServer.Name)]
public sealed class PostgresRefreshLeaseTests(PostgresFixture server) : RefreshLeaseTests(new PostgresTestDatabase(server));

/// <summary>
/// The cross-node refresh lock on the database, against a real database of each kind.
/// </summary>
public abstract class RefreshLeaseTests(TestDatabase database) : StoreTestBase(database)
{
    private const string Leases = "EllipsisDriveRefreshLeases";
    private static readonly string Key = RefreshTokenSuccessors.Hash("refresh-token");

    [Fact]
    public async Task An_uncontended_lock_is_taken_without_waiting_and_released_by_deleting_its_lease()
    {
        var node = StartNode();
        Assert.IsType<DatabaseRefreshLock>(LockOf(node));

        var handle = await LockOf(node).AcquireAsync(Key, TestContext.Current.CancellationToken);

        Assert.False(handle.Waited);
        Assert.Equal([Key], await ReadRawAsync(node, Leases, "Key"));
        await handle.DisposeAsync();
        Assert.Empty(await ReadRawAsync(node, Leases, "Key"));
    }

    [Fact]
    public async Task Holders_on_two_nodes_never_overlap_and_the_ones_that_queued_say_they_waited()
    {
        var locks = new[] { LockOf(await StartWarmNodeAsync()), LockOf(await StartWarmNodeAsync()) };
        var holders = 0;
        var mostHolders = 0;
        var waited = 0;

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            await using var handle = await locks[i % 2].AcquireAsync(Key, TestContext.Current.CancellationToken);
            var now = Interlocked.Increment(ref holders);
            InterlockedMax(ref mostHolders, now);
            if (handle.Waited)
            {
                Interlocked.Increment(ref waited);
            }

            // Hold it across a yield, so that an overlapping holder would be seen.
            await Task.Yield();
            Interlocked.Decrement(ref holders);
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(1, mostHolders);
        Assert.InRange(waited, 1, 99);
        AssertNothingLoggedAboveInformation();
    }

    [Fact]
    public async Task A_lease_that_has_not_expired_keeps_other_nodes_waiting()
    {
        var holder = StartNode();
        var other = StartNode();
        await using var held = await LockOf(holder).AcquireAsync(Key, TestContext.Current.CancellationToken);
        Time.Advance(Lease(holder) - TimeSpan.FromSeconds(1));
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LockOf(other).AcquireAsync(Key, giveUp.Token));
    }

    [Fact]
    public async Task An_expired_lease_is_taken_over_and_its_late_holder_does_not_release_the_new_one()
    {
        var crashed = StartNode();
        var other = StartNode();
        var stale = await LockOf(crashed).AcquireAsync(Key, TestContext.Current.CancellationToken);
        Time.Advance(Lease(crashed));

        var taken = await LockOf(other).AcquireAsync(Key, TestContext.Current.CancellationToken);

        var owner = Assert.Single(await ReadRawAsync(other, Leases, "Owner"));
        await stale.DisposeAsync();
        Assert.Equal([owner], await ReadRawAsync(other, Leases, "Owner"));
        await taken.DisposeAsync();
        Assert.Empty(await ReadRawAsync(other, Leases, "Owner"));
    }

    private static TimeSpan Lease(ServiceProvider node) =>
        node.GetRequiredService<IOptions<EllipsisDriveTokenOptions>>().Value.RefreshTimeout + TimeSpan.FromSeconds(5);

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
