using AspNet.Security.OAuth.EllipsisDrive.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.EntityFrameworkCore.Tests;

public sealed class SqliteTokenStoreTests() : TokenStoreTests(new SqliteTestDatabase());

[Collection(PostgresServer.Name)]
public sealed class PostgresTokenStoreTests(PostgresFixture server) : TokenStoreTests(new PostgresTestDatabase(server))
{
    [Fact]
    public async Task A_database_user_that_may_not_create_tables_uses_the_tables_created_from_the_README_script()
    {
        server.Require();
        var database = (PostgresTestDatabase)Database;
        await database.CreateAsync();
        await database.ExecuteAsync(PostgresScriptFromReadme());
        var role = "app_" + Guid.NewGuid().ToString("N");
        // Since PostgreSQL 15 only the owner may create tables in the public schema: this role may not.
        await database.ExecuteAsync($"CREATE ROLE {role} LOGIN; GRANT SELECT, INSERT, UPDATE, DELETE ON \"EllipsisDriveGrants\", \"EllipsisDriveRefreshLeases\" TO {role};");
        database.User = role;
        var store = StoreOf(StartNode());
        var grant = new EllipsisDriveGrant { AccessToken = "access", RefreshToken = "refresh" };

        Assert.True(await store.SaveAsync(EllipsisDriveDefaults.AuthenticationScheme, "user-1", grant, null, TestContext.Current.CancellationToken));
        Assert.Equal("refresh", (await store.GetAsync(EllipsisDriveDefaults.AuthenticationScheme, "user-1", TestContext.Current.CancellationToken))!.RefreshToken);
    }

    private static string PostgresScriptFromReadme()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AspNet.Security.OAuth.EllipsisDrive.sln")))
        {
            directory = directory.Parent;
        }

        var readme = File.ReadAllText(Path.Combine(directory!.FullName, "src", "AspNet.Security.OAuth.EllipsisDrive.EntityFrameworkCore", "README.md"));
        var start = readme.IndexOf("```sql", readme.IndexOf("PostgreSQL:", StringComparison.Ordinal), StringComparison.Ordinal) + "```sql".Length;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }
}

/// <summary>
/// The token store's contract, against a real database of each kind.
/// </summary>
public abstract class TokenStoreTests(TestDatabase database) : StoreTestBase(database)
{
    private const string Scheme = EllipsisDriveDefaults.AuthenticationScheme;
    private const string User = "user-1";

    private static EllipsisDriveGrant NewGrant(string refreshToken) => new()
    {
        AccessToken = "access-" + Guid.NewGuid().ToString("N"),
        RefreshToken = refreshToken,
        TokenType = "Bearer",
        // Not UTC on purpose: the instant is what must come back.
        ExpiresAt = new DateTimeOffset(2026, 3, 1, 11, 0, 0, TimeSpan.FromHours(1)),
        RefreshedAt = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero),
    };

    private static string NewRefreshToken() => "refresh-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_saved_grant_reads_back_whole()
    {
        var store = StoreOf(StartNode());
        var grant = NewGrant(NewRefreshToken());

        Assert.True(await store.SaveAsync(Scheme, User, grant, expectedRefreshToken: null, TestContext.Current.CancellationToken));
        var read = await store.GetAsync(Scheme, User, TestContext.Current.CancellationToken);

        Assert.NotNull(read);
        Assert.Equal(grant.AccessToken, read.AccessToken);
        Assert.Equal(grant.RefreshToken, read.RefreshToken);
        Assert.Equal("Bearer", read.TokenType);
        Assert.Equal(grant.ExpiresAt, read.ExpiresAt);
        Assert.Equal(grant.RefreshedAt, read.RefreshedAt);
        Assert.False(read.ReconnectRequired);
    }

    [Fact]
    public async Task Grants_are_kept_per_scheme_and_user()
    {
        var store = StoreOf(StartNode());
        await store.SaveAsync(Scheme, User, NewGrant(NewRefreshToken()), null, TestContext.Current.CancellationToken);

        Assert.Null(await store.GetAsync(Scheme, "user-2", TestContext.Current.CancellationToken));
        Assert.Null(await store.GetAsync("OtherScheme", User, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_grant_that_needs_a_reconnect_reads_back_as_such()
    {
        var store = StoreOf(StartNode());

        await store.SaveAsync(Scheme, User, new EllipsisDriveGrant { ReconnectRequired = true }, null, TestContext.Current.CancellationToken);
        var read = await store.GetAsync(Scheme, User, TestContext.Current.CancellationToken);

        Assert.NotNull(read);
        Assert.True(read.ReconnectRequired);
        Assert.Null(read.AccessToken);
        Assert.Null(read.RefreshToken);
    }

    [Fact]
    public async Task Neither_token_is_readable_in_the_table()
    {
        var node = StartNode();
        var grant = NewGrant(NewRefreshToken());
        await StoreOf(node).SaveAsync(Scheme, User, grant, null, TestContext.Current.CancellationToken);

        var refreshColumn = Assert.Single(await ReadRawAsync(node, "EllipsisDriveGrants", "RefreshToken"));
        var accessColumn = Assert.Single(await ReadRawAsync(node, "EllipsisDriveGrants", "AccessToken"));

        Assert.DoesNotContain(grant.RefreshToken!, refreshColumn, StringComparison.Ordinal);
        Assert.DoesNotContain(grant.RefreshToken!["refresh-".Length..], refreshColumn, StringComparison.Ordinal);
        Assert.DoesNotContain(grant.AccessToken!["access-".Length..], accessColumn, StringComparison.Ordinal);
        Assert.Equal(RefreshTokenSuccessors.Hash(grant.RefreshToken!), Assert.Single(await ReadRawAsync(node, "EllipsisDriveGrants", "RefreshTokenHash")));
    }

    [Fact]
    public async Task A_grant_saved_under_another_key_ring_reads_as_absent_and_logs_a_warning_without_the_tokens()
    {
        var grant = NewGrant(NewRefreshToken());
        await StoreOf(StartNode()).SaveAsync(Scheme, User, grant, null, TestContext.Current.CancellationToken);
        var keyRingLost = StartNode(new EphemeralDataProtectionProvider());

        Assert.Null(await StoreOf(keyRingLost).GetAsync(Scheme, User, TestContext.Current.CancellationToken));

        var logs = keyRingLost.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, record => record.Level == LogLevel.Warning && record.Id.Id == 1511);
        Assert.DoesNotContain(logs, record => record.Message.Contains(grant.RefreshToken!, StringComparison.Ordinal) || record.Message.Contains(grant.AccessToken!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_grant_of_one_user_copied_into_another_users_row_does_not_decrypt_there()
    {
        var node = StartNode();
        var store = StoreOf(node);
        await store.SaveAsync(Scheme, User, NewGrant(NewRefreshToken()), null, TestContext.Current.CancellationToken);
        await store.SaveAsync(Scheme, "mallory", NewGrant(NewRefreshToken()), null, TestContext.Current.CancellationToken);

        await using (var context = await node.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<EllipsisDriveTokenDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            var victim = context.Grants.Single(row => row.UserKey == User);
            var mallory = context.Grants.Single(row => row.UserKey == "mallory");
            mallory.RefreshToken = victim.RefreshToken;
            await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        Assert.Null(await store.GetAsync(Scheme, "mallory", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_save_over_the_stored_refresh_token_replaces_the_grant()
    {
        var store = StoreOf(StartNode());
        var first = NewGrant(NewRefreshToken());
        await store.SaveAsync(Scheme, User, first, null, TestContext.Current.CancellationToken);
        var refreshed = NewGrant(NewRefreshToken());

        Assert.True(await store.SaveAsync(Scheme, User, refreshed, first.RefreshToken, TestContext.Current.CancellationToken));

        Assert.Equal(refreshed.RefreshToken, (await store.GetAsync(Scheme, User, TestContext.Current.CancellationToken))!.RefreshToken);
    }

    [Fact]
    public async Task A_save_over_a_stale_refresh_token_is_refused_and_keeps_the_stored_grant()
    {
        var store = StoreOf(StartNode());
        var first = NewGrant(NewRefreshToken());
        await store.SaveAsync(Scheme, User, first, null, TestContext.Current.CancellationToken);
        var second = NewGrant(NewRefreshToken());
        await store.SaveAsync(Scheme, User, second, first.RefreshToken, TestContext.Current.CancellationToken);

        Assert.False(await store.SaveAsync(Scheme, User, NewGrant(NewRefreshToken()), first.RefreshToken, TestContext.Current.CancellationToken));

        var kept = await store.GetAsync(Scheme, User, TestContext.Current.CancellationToken);
        Assert.Equal(second.RefreshToken, kept!.RefreshToken);
        Assert.Equal(second.AccessToken, kept.AccessToken);
    }

    [Fact]
    public async Task A_save_over_a_refresh_token_of_a_grant_that_is_gone_is_refused()
    {
        var store = StoreOf(StartNode());

        Assert.False(await store.SaveAsync(Scheme, User, NewGrant(NewRefreshToken()), NewRefreshToken(), TestContext.Current.CancellationToken));

        Assert.Null(await store.GetAsync(Scheme, User, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_unconditional_save_overwrites_the_stored_grant()
    {
        var store = StoreOf(StartNode());
        await store.SaveAsync(Scheme, User, NewGrant(NewRefreshToken()), null, TestContext.Current.CancellationToken);
        var signedInAgain = NewGrant(NewRefreshToken());

        Assert.True(await store.SaveAsync(Scheme, User, signedInAgain, null, TestContext.Current.CancellationToken));

        Assert.Equal(signedInAgain.RefreshToken, (await store.GetAsync(Scheme, User, TestContext.Current.CancellationToken))!.RefreshToken);
    }

    [Fact]
    public async Task Of_two_nodes_saving_over_the_same_refresh_token_exactly_one_wins()
    {
        var a = StoreOf(await StartWarmNodeAsync());
        var b = StoreOf(await StartWarmNodeAsync());
        var current = NewGrant(NewRefreshToken());
        await a.SaveAsync(Scheme, User, current, null, TestContext.Current.CancellationToken);

        for (var round = 0; round < 50; round++)
        {
            var fromA = NewGrant(NewRefreshToken());
            var fromB = NewGrant(NewRefreshToken());

            var saved = await Task.WhenAll(
                Task.Run(() => a.SaveAsync(Scheme, User, fromA, current.RefreshToken, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken),
                Task.Run(() => b.SaveAsync(Scheme, User, fromB, current.RefreshToken, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken));

            Assert.True(saved[0] ^ saved[1], $"round {round}: A saved {saved[0]}, B saved {saved[1]}");
            current = saved[0] ? fromA : fromB;
            Assert.Equal(current.RefreshToken, (await b.GetAsync(Scheme, User, TestContext.Current.CancellationToken))!.RefreshToken);
        }

        AssertNothingLoggedAboveInformation();
    }

    [Fact]
    public async Task Two_nodes_signing_in_the_same_user_at_once_both_save_and_one_grant_is_kept()
    {
        var a = StoreOf(await StartWarmNodeAsync());
        var b = StoreOf(await StartWarmNodeAsync());
        var fromA = NewGrant(NewRefreshToken());
        var fromB = NewGrant(NewRefreshToken());

        var saved = await Task.WhenAll(
            Task.Run(() => a.SaveAsync(Scheme, User, fromA, null, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken),
            Task.Run(() => b.SaveAsync(Scheme, User, fromB, null, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken));

        Assert.All(saved, Assert.True);
        // The losing insert is a unique-key violation that Entity Framework logs before the store overwrites instead.
        Assert.Contains((await a.GetAsync(Scheme, User, TestContext.Current.CancellationToken))!.RefreshToken, new[] { fromA.RefreshToken, fromB.RefreshToken });
    }

    [Fact]
    public async Task Remove_deletes_the_grant()
    {
        var node = StartNode();
        var store = StoreOf(node);
        await store.SaveAsync(Scheme, User, NewGrant(NewRefreshToken()), null, TestContext.Current.CancellationToken);

        Assert.True(await store.RemoveAsync(Scheme, User, TestContext.Current.CancellationToken));

        Assert.Null(await store.GetAsync(Scheme, User, TestContext.Current.CancellationToken));
        Assert.Empty(await ReadRawAsync(node, "EllipsisDriveGrants", "UserKey"));
        Assert.False(await store.RemoveAsync(Scheme, User, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_tables_are_created_in_a_database_that_already_holds_other_tables()
    {
        await Database.CreateWithAnotherTableAsync();
        var node = StartNode();
        var store = StoreOf(node);
        var grant = NewGrant(NewRefreshToken());

        Assert.True(await store.SaveAsync(Scheme, User, grant, null, TestContext.Current.CancellationToken));

        Assert.Equal(grant.RefreshToken, (await store.GetAsync(Scheme, User, TestContext.Current.CancellationToken))!.RefreshToken);
        Assert.Equal(["alice"], await ReadRawAsync(node, "AspNetUsers", "Id"));
    }

    [Fact]
    public async Task Two_nodes_using_a_new_database_at_once_both_get_the_tables()
    {
        var a = StoreOf(StartNode());
        var b = StoreOf(StartNode());
        var fromA = NewGrant(NewRefreshToken());
        var fromB = NewGrant(NewRefreshToken());

        await Task.WhenAll(
            Task.Run(() => a.SaveAsync(Scheme, "user-a", fromA, null, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken),
            Task.Run(() => b.SaveAsync(Scheme, "user-b", fromB, null, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken));

        Assert.Equal(fromB.RefreshToken, (await a.GetAsync(Scheme, "user-b", TestContext.Current.CancellationToken))!.RefreshToken);
        Assert.Equal(fromA.RefreshToken, (await b.GetAsync(Scheme, "user-a", TestContext.Current.CancellationToken))!.RefreshToken);
    }
}
