using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers server-side sessions for Ellipsis Drive sign-ins.
/// </summary>
public static class EllipsisDriveSessionsExtensions
{
    /// <summary>
    /// Keeps authentication tickets, and so the Ellipsis Drive tokens, on the server: the auth cookie then only carries a
    /// random session key. Tickets go to the registered <see cref="Caching.Distributed.IDistributedCache"/> (an in-memory
    /// one when none is registered; register Redis with <c>AddStackExchangeRedisCache</c> for a web farm), protected with
    /// Data Protection. Also registers the token service (<see cref="IEllipsisDriveTokenService"/>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the session options, if needed.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddEllipsisDriveSessions(this IServiceCollection services, Action<EllipsisDriveSessionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var optionsBuilder = services.AddOptions<EllipsisDriveSessionOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.AddEllipsisDriveTokens(); // also Data Protection and, unless the app registered one, a memory cache
        services.TryAddSingleton<EllipsisDriveTicketStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, EllipsisDriveSessionCookieSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, EllipsisDriveSessionStoreFailureMiddleware>());
        return services;
    }
}
