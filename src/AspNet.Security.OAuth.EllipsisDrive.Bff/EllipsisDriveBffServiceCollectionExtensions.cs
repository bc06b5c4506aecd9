using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the backend-for-frontend services: the Ellipsis Drive API proxy and the SPA's user, login and logout endpoints.
/// </summary>
public static class EllipsisDriveBffServiceCollectionExtensions
{
    /// <summary>
    /// Registers what <c>MapEllipsisDriveApi</c> and <c>MapEllipsisDriveBff</c> need: YARP's forwarder, the token service
    /// (<c>AddEllipsisDriveTokens</c>) and <see cref="EllipsisDriveBffOptions"/>, checked at start-up. Changes nothing in
    /// the app's cookies or pipeline: map the endpoints to use them.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options (allowed API paths and methods, CSRF header, user claims), if needed.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddEllipsisDriveBff(this IServiceCollection services, Action<EllipsisDriveBffOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var optionsBuilder = services.AddOptions<EllipsisDriveBffOptions>().ValidateOnStart();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EllipsisDriveBffOptions>, EllipsisDriveBffOptionsValidation>());
        services.AddLogging();
        services.AddEllipsisDriveTokens();
        services.AddHttpForwarder();
        services.TryAddSingleton<IForwarderHttpClientFactory, ForwarderHttpClientFactory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, EllipsisDriveBffCookieCheck>());
        services.TryAddSingleton<EllipsisDriveBffRequests>();
        services.TryAddSingleton<EllipsisDriveApiProxy>();
        services.TryAddSingleton<EllipsisDriveBffUserEndpoints>();
        return services;
    }
}
