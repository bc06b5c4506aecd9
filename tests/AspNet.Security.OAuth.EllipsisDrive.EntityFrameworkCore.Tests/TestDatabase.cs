using AspNet.Security.OAuth.EllipsisDrive.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AspNet.Security.OAuth.EllipsisDrive.EntityFrameworkCore.Tests;

/// <summary>
/// The database of one test: the same tests run against each kind.
/// </summary>
public abstract class TestDatabase : IAsyncDisposable
{
    /// <summary>Skips (or, on CI, fails) the test when the database cannot run here.</summary>
    public abstract void Require();

    /// <summary>Points the store at this database (what an app passes to <c>AddEllipsisDriveEntityFrameworkCoreStore</c>).</summary>
    public abstract void Configure(DbContextOptionsBuilder options);

    /// <summary>Creates the database the way an app already has it: with a table of its own (<c>AspNetUsers</c>, one row).</summary>
    public abstract Task CreateWithAnotherTableAsync();

    public abstract ValueTask DisposeAsync();
}

/// <summary>A SQLite file in a temporary directory of its own.</summary>
public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("ellipsisdrive-sqlite-");

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory.FullName, "tokens.db") }.ToString();

    public override void Require()
    {
    }

    public override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(ConnectionString);

    public override async Task CreateWithAnotherTableAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE \"AspNetUsers\" (\"Id\" TEXT PRIMARY KEY); INSERT INTO \"AspNetUsers\" VALUES ('alice');";
        await command.ExecuteNonQueryAsync();
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A database of its own on the collection's PostgreSQL server, created by the store itself unless the test creates it.</summary>
public sealed class PostgresTestDatabase(PostgresFixture server) : TestDatabase
{
    private readonly string _name = "tokens_" + Guid.NewGuid().ToString("N");

    public override void Require() => server.Require();

    /// <summary>Gets or sets the role the store connects as; the superuser unless a test says otherwise.</summary>
    public string? User { get; set; }

    public override void Configure(DbContextOptionsBuilder options)
    {
        var connectionString = server.ConnectionString(_name);
        options.UseNpgsql(User is null ? connectionString : connectionString.Replace("Username=postgres", "Username=" + User, StringComparison.Ordinal));
    }

    /// <summary>Runs <paramref name="sql"/> in this database as the superuser.</summary>
    public Task ExecuteAsync(string sql) => server.ExecuteAsync(_name, sql);

    public Task CreateAsync() => server.CreateDatabaseAsync(_name);

    public override async Task CreateWithAnotherTableAsync()
    {
        await server.CreateDatabaseAsync(_name);
        await server.ExecuteAsync(_name, "CREATE TABLE \"AspNetUsers\" (\"Id\" text PRIMARY KEY); INSERT INTO \"AspNetUsers\" VALUES ('alice');");
    }

    // The server is thrown away with its databases.
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
