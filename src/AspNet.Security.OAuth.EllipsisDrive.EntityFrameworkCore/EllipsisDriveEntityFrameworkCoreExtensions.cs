using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the Entity Framework Core token store of Ellipsis Drive.
/// </summary>
public static class EllipsisDriveEntityFrameworkCoreExtensions
{
    /// <summary>The SQLite file of the default database, in the app's content root.</summary>
    private const string DefaultDatabaseFile = "ellipsisdrive-tokens.db";

    /// <summary>
    /// Keeps each user's Ellipsis Drive grant in a database with Entity Framework Core (<see cref="IEllipsisDriveTokenStore"/>),
    /// its tokens protected with Data Protection, and serializes refreshes across nodes with leases in the same database.
    /// The database and the tables <c>EllipsisDriveGrants</c> and <c>EllipsisDriveRefreshLeases</c> are created on first
    /// use when missing, beside any tables the database already holds; an app may instead create them from the script in
    /// the package README (then its database user needs no right to create tables).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Without <paramref name="configure"/>, the database is the SQLite file <c>ellipsisdrive-tokens.db</c> in the app's
    /// content root (<see cref="IHostEnvironment.ContentRootPath"/>, else <see cref="AppContext.BaseDirectory"/>): fine for
    /// one node. For a farm, use a shared server: <c>options =&gt; options.UseNpgsql(connectionString)</c> with the
    /// <c>Npgsql.EntityFrameworkCore.PostgreSQL</c> package. Every node must share the Data Protection key ring, or the
    /// tokens one node saved read as absent on another.
    /// </para>
    /// <para>
    /// The refresh lock on the database is used only when no other cross-node lock is registered: with
    /// <c>AddEllipsisDriveRedisRefreshLock</c> too, in either order, the Redis lock is used.
    /// </para>
    /// </remarks>
    /// <param name="services">The services.</param>
    /// <param name="configure">Chooses the database (a provider and its connection string); <see langword="null"/> for the SQLite default.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddEllipsisDriveEntityFrameworkCoreStore(this IServiceCollection services, Action<DbContextOptionsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddEllipsisDriveTokens();

        // EF Core also registers the non-generic DbContextOptions as ours (the last registration wins): an app context whose
        // constructor takes DbContextOptions (IdentityDbContext, for one) would get our database. Ours takes the generic one.
        var appOptions = services.Where(descriptor => descriptor.ServiceType == typeof(DbContextOptions)).ToHashSet();
        services.AddPooledDbContextFactory<EllipsisDriveTokenDbContext>((provider, options) =>
        {
            if (configure is null)
            {
                var root = provider.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
                options.UseSqlite(new SqliteConnectionStringBuilder { DataSource = Path.Combine(root, DefaultDatabaseFile) }.ToString());
            }
            else
            {
                configure(options);
            }
        });
        foreach (var ours in services.Where(descriptor => descriptor.ServiceType == typeof(DbContextOptions) && !appOptions.Contains(descriptor)).ToList())
        {
            services.Remove(ours);
        }

        services.TryAddSingleton<EllipsisDriveTokenSchema>();
        services.AddSingleton<IEllipsisDriveTokenStore, EllipsisDriveTokenStore>();

        // Replaces only the in-process default (the one lock the main package itself registers): a lock registered before
        // (Redis, the app's own) is kept, and one registered after wins anyway.
        var current = services.LastOrDefault(descriptor => descriptor.ServiceType == typeof(IEllipsisDriveRefreshLock));
        if (current is null || current.ImplementationType?.Assembly == typeof(IEllipsisDriveRefreshLock).Assembly)
        {
            services.RemoveAll<IEllipsisDriveRefreshLock>();
            services.AddSingleton<IEllipsisDriveRefreshLock, DatabaseRefreshLock>();
        }

        return services;
    }
}
