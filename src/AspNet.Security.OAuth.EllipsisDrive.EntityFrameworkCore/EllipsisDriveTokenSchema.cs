using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Creates the database (when it does not exist) and the package's two tables (when they do not exist) on first use,
/// once per service provider. <c>EnsureCreated</c> is not enough: it does nothing on a database that already holds other
/// tables (ASP.NET Core Identity's, say), which is the usual PostgreSQL case. The tables are created from the model with
/// <c>CREATE TABLE IF NOT EXISTS</c>, which SQLite and PostgreSQL understand.
/// </summary>
internal sealed partial class EllipsisDriveTokenSchema(ILogger<EllipsisDriveTokenSchema> logger) : IDisposable
{
    private const string CreateTable = "CREATE TABLE ";
    private const string IfNotExists = "IF NOT EXISTS ";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _created;

    public async ValueTask EnsureCreatedAsync(EllipsisDriveTokenDbContext context, CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_created)
            {
                await CreateAsync(context, cancellationToken).ConfigureAwait(false);
                // Only a success is remembered: a database that was down at the first call is tried again at the next.
                _created = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task CreateAsync(EllipsisDriveTokenDbContext context, CancellationToken cancellationToken)
    {
        var creator = context.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await creator.CreateAsync(cancellationToken).ConfigureAwait(false);
                LogDatabaseCreated(logger);
            }
            catch (DbException)
            {
                // Another node may have created it first.
                if (!await creator.ExistsAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }
        }

        var model = context.GetService<IDesignTimeModel>().Model;
        var commands = context.GetService<IMigrationsSqlGenerator>().Generate(
            context.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel()), model);
        foreach (var command in commands)
        {
            var sql = command.CommandText;
            if (sql.StartsWith(CreateTable, StringComparison.Ordinal))
            {
                sql = string.Concat(CreateTable, IfNotExists, sql.AsSpan(CreateTable.Length));
            }

            try
            {
                await context.Database.ExecuteSqlRawAsync(sql, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException exception)
            {
                // The tables may be there while this user may not create tables (they were made from the script), or
                // another node was creating them at the same moment.
                if (await TablesAreUsableAsync(context, cancellationToken).ConfigureAwait(false))
                {
                    LogCreateSkipped(logger, exception);
                    return;
                }

                throw new InvalidOperationException(
                    $"The Ellipsis Drive token tables ({EllipsisDriveTokenDbContext.GrantsTable}, {EllipsisDriveTokenDbContext.LeasesTable}) do not exist and could not be created: {exception.Message} " +
                    "Create them from the script in the AspNet.Security.OAuth.EllipsisDrive.EntityFrameworkCore README, or let the database user of the connection string passed to AddEllipsisDriveEntityFrameworkCoreStore create tables.",
                    exception);
            }
        }
    }

    private static async Task<bool> TablesAreUsableAsync(EllipsisDriveTokenDbContext context, CancellationToken cancellationToken)
    {
        try
        {
            await context.Grants.AsNoTracking().AnyAsync(cancellationToken).ConfigureAwait(false);
            await context.Leases.AsNoTracking().AnyAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 1531, Level = LogLevel.Information, Message = "Created the database of the Ellipsis Drive token store.")]
    private static partial void LogDatabaseCreated(ILogger logger);

    [LoggerMessage(EventId = 1532, Level = LogLevel.Debug, Message = "Did not create the Ellipsis Drive token tables; they exist already.")]
    private static partial void LogCreateSkipped(ILogger logger, Exception exception);
}
