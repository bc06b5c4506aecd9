using AspNet.Security.OAuth.EllipsisDrive;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Emulator.Development;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Runs an app on the Ellipsis Drive emulator during development, with no real Ellipsis Drive account.
/// </summary>
public static class EllipsisDriveEmulatorServiceCollectionExtensions
{
    /// <summary>
    /// Starts the emulator with the app (on a loopback port of its own), registers the app there as an OAuth client with
    /// a random secret and the callback URL of every address the app listens on, and points every Ellipsis Drive
    /// scheme at it (<see cref="EllipsisDriveOptions.BaseAddress"/>, <c>ClientId</c>, <c>ClientSecret</c>), whatever the
    /// app configured. The running <see cref="EllipsisDriveEmulator"/> and the app's <see cref="EmulatorClient"/> are
    /// services, for tests to inspect.
    /// </summary>
    /// <remarks>
    /// For development and tests only: call it only in the Development environment (or when no real client is
    /// configured), and keep the package out of production builds with a conditional reference (see the package README).
    /// </remarks>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Adjusts the emulator's options (users, token lifetimes, port); optional.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddEllipsisDriveEmulator(this IServiceCollection services, Action<EllipsisDriveEmulatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        if (services.Any(descriptor => descriptor.ServiceType == typeof(DevelopmentEmulator)))
        {
            return services;
        }

        services.AddSingleton(provider => new DevelopmentEmulator(configure, provider.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(provider => provider.GetRequiredService<DevelopmentEmulator>().Emulator);
        services.TryAddSingleton(provider => provider.GetRequiredService<DevelopmentEmulator>().Client);

        // First of the post-configurations, whatever the order of the calls: after every Configure (the app's own
        // AddEllipsisDrive(options => ...)) and before the handler's own post-configuration derives the endpoints
        // from BaseAddress.
        services.Insert(0, ServiceDescriptor.Singleton<IPostConfigureOptions<EllipsisDriveOptions>, PointAtEmulator>());
        services.AddHostedService<RegisterCallbacks>();
        return services;
    }
}
