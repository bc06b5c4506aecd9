using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.EllipsisDrive.EntityFrameworkCore.Tests;

public sealed class RegistrationTests : IDisposable
{
    private readonly DirectoryInfo _contentRoot = Directory.CreateTempSubdirectory("ellipsisdrive-contentroot-");

    [Fact]
    public async Task Without_a_database_configured_the_grants_go_to_a_SQLite_file_in_the_content_root()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new Environment(_contentRoot.FullName));
        services.AddEllipsisDriveEntityFrameworkCoreStore();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IEllipsisDriveTokenStore>();

        await store.SaveAsync("EllipsisDrive", "user-1", new EllipsisDriveGrant { RefreshToken = "refresh" }, null, TestContext.Current.CancellationToken);

        Assert.True(File.Exists(Path.Combine(_contentRoot.FullName, "ellipsisdrive-tokens.db")));
        Assert.Equal("refresh", (await store.GetAsync("EllipsisDrive", "user-1", TestContext.Current.CancellationToken))!.RefreshToken);
    }

    [Fact]
    public void The_database_lock_replaces_the_in_process_default()
    {
        var services = new ServiceCollection();
        services.AddEllipsisDriveTokens();

        services.AddEllipsisDriveEntityFrameworkCoreStore(Sqlite);

        Assert.Equal(typeof(DatabaseRefreshLock), Assert.Single(services, descriptor => descriptor.ServiceType == typeof(IEllipsisDriveRefreshLock)).ImplementationType);
    }

    [Fact]
    public void The_Redis_lock_registered_before_is_kept()
    {
        var services = new ServiceCollection();
        services.AddEllipsisDriveRedisRefreshLock(_ => Task.FromException<IConnectionMultiplexer>(new InvalidOperationException("not used")));

        services.AddEllipsisDriveEntityFrameworkCoreStore(Sqlite);

        Assert.Equal("RedisRefreshLock", ResolvedLock(services));
    }

    [Fact]
    public void The_Redis_lock_registered_after_wins()
    {
        var services = new ServiceCollection();
        services.AddEllipsisDriveEntityFrameworkCoreStore(Sqlite);

        services.AddEllipsisDriveRedisRefreshLock(_ => Task.FromException<IConnectionMultiplexer>(new InvalidOperationException("not used")));

        Assert.Equal("RedisRefreshLock", ResolvedLock(services));
    }

    [Fact]
    public void An_app_context_taking_the_non_generic_DbContextOptions_keeps_its_own_database_after_the_store_is_registered()
    {
        // As IdentityDbContext does: its constructor takes DbContextOptions, which EF Core resolves to the last context registered.
        var appDatabase = "Data Source=" + Path.Combine(_contentRoot.FullName, "app.db");
        var services = new ServiceCollection();
        services.AddDbContext<AppDbContext>(options => Microsoft.EntityFrameworkCore.SqliteDbContextOptionsBuilderExtensions.UseSqlite(options, appDatabase));

        services.AddEllipsisDriveEntityFrameworkCoreStore(Sqlite);

        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        var context = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal(appDatabase, Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetConnectionString(context.Database));
    }

    private void Sqlite(Microsoft.EntityFrameworkCore.DbContextOptionsBuilder options) =>
        Microsoft.EntityFrameworkCore.SqliteDbContextOptionsBuilderExtensions.UseSqlite(options, "Data Source=" + Path.Combine(_contentRoot.FullName, "unused.db"));

    private static string ResolvedLock(ServiceCollection services)
    {
        services.AddLogging();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IEllipsisDriveRefreshLock>().GetType().Name;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _contentRoot.Delete(recursive: true);
    }

    private sealed class AppDbContext(Microsoft.EntityFrameworkCore.DbContextOptions options) : Microsoft.EntityFrameworkCore.DbContext(options);

    private sealed class Environment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = contentRoot;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
