using Npgsql;

namespace AspNet.Security.OAuth.EllipsisDrive.Testing;

/// <summary>
/// The PostgreSQL test classes share one throw-away server; each test works in a database of its own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresServer : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}

/// <summary>
/// A real PostgreSQL server, started for the collection and stopped after. Without PostgreSQL installed the tests skip
/// with the reason, except on CI (<c>CI=true</c>), where they fail.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresProcess? _server;

    public async ValueTask InitializeAsync()
    {
        if (PostgresProcess.BinDirectory is not null)
        {
            _server = await PostgresProcess.StartAsync();
        }
    }

    /// <summary>Skips (or, on CI, fails) the calling test when PostgreSQL is not installed.</summary>
    public void Require() =>
        Prerequisite.Require(_server is not null, "PostgreSQL is not installed (apt-get install -y postgresql; initdb is looked for under /usr/lib/postgresql/*/bin, then on PATH); the PostgreSQL token store tests need a real server.");

    public string ConnectionString(string database) => _server!.ConnectionString(database);

    /// <summary>Creates an empty database.</summary>
    public async Task CreateDatabaseAsync(string database)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
