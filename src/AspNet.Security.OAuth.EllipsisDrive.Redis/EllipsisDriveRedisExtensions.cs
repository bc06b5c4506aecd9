using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the parts of a web farm on Redis that belong to this package.
/// </summary>
public static class EllipsisDriveRedisExtensions
{
    /// <summary>
    /// Serializes token refreshes across the nodes of a web farm with a Redis lock, so that concurrent requests for one
    /// session on different nodes make at most one call to the token endpoint. Use it with <c>AddEllipsisDriveSessions</c>
    /// over a shared Redis cache (<c>AddStackExchangeRedisCache</c>) and shared Data Protection keys.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="connect">Returns the connection to Redis; called once, on the first refresh.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddEllipsisDriveRedisRefreshLock(this IServiceCollection services, Func<IServiceProvider, Task<IConnectionMultiplexer>> connect)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(connect);

        services.AddEllipsisDriveTokens();
        services.AddSingleton<IEllipsisDriveRefreshLock>(provider => new RedisRefreshLock(
            () => connect(provider),
            provider.GetRequiredService<IOptions<EllipsisDriveTokenOptions>>(),
            provider.GetRequiredService<IOptions<EllipsisDriveSessionOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<RedisRefreshLock>>()));
        return services;
    }

    /// <summary>
    /// Serializes token refreshes across the nodes of a web farm with a Redis lock over an existing connection.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="connection">The connection to Redis.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddEllipsisDriveRedisRefreshLock(this IServiceCollection services, IConnectionMultiplexer connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return services.AddEllipsisDriveRedisRefreshLock(_ => Task.FromResult(connection));
    }
}
