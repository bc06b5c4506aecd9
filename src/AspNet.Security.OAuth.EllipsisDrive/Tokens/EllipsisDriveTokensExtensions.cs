using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the Ellipsis Drive token service and the <see cref="HttpClient"/> support that uses it.
/// </summary>
public static class EllipsisDriveTokensExtensions
{
    /// <summary>
    /// Registers <see cref="IEllipsisDriveTokenService"/>, which keeps the signed-in user's access token fresh.
    /// Tokens stay in the auth cookie (cookie mode) unless <c>AddEllipsisDriveSessions</c> keeps them on the server.
    /// The token layer uses the only Ellipsis Drive scheme registered, whatever its name, unless
    /// <see cref="EllipsisDriveTokenOptions.Scheme"/> names another; start-up fails when it cannot tell which one.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the token options, if needed.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddEllipsisDriveTokens(this IServiceCollection services, Action<EllipsisDriveTokenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        // The scheme is resolved and checked at start-up: a wrong one would only show on the first API call or refresh.
        var optionsBuilder = services.AddOptions<EllipsisDriveTokenOptions>().ValidateOnStart();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<EllipsisDriveTokenOptions>, EllipsisDriveTokenSchemeSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EllipsisDriveTokenOptions>, EllipsisDriveTokenSchemeSetup>());

        services.AddOptions<EllipsisDriveSessionOptions>();
        services.AddHttpContextAccessor();
        services.AddMetrics();
        services.AddDataProtection();
        services.AddDistributedMemoryCache();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EllipsisDriveMetrics>();
        services.TryAddSingleton<RefreshTokenSuccessors>();
        services.TryAddSingleton<IEllipsisDriveRefreshLock, NoRefreshLock>();
        services.TryAddSingleton<IEllipsisDriveTokenService, EllipsisDriveTokenService>();
        services.TryAddSingleton<EllipsisDriveForeignOrigins>();
        services.TryAddTransient<EllipsisDriveAccessTokenHandler>();
        return services;
    }

    /// <summary>
    /// Attaches the signed-in user's Ellipsis Drive access token to this client's requests for the API's origin
    /// (<see cref="EllipsisDriveOptions.BaseAddress"/>; never to another origin), refreshing it when needed, and on a 401
    /// refreshes once and retries. Also registers the token service.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <returns>The client builder.</returns>
    public static IHttpClientBuilder AddEllipsisDriveAccessToken(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddEllipsisDriveTokens();
        return builder.AddHttpMessageHandler<EllipsisDriveAccessTokenHandler>();
    }

    /// <summary>
    /// Registers <see cref="EllipsisDriveApiClient"/>: a typed client with the API base address that sends the signed-in
    /// user's access token.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The client builder, to add handlers of your own.</returns>
    public static IHttpClientBuilder AddEllipsisDriveApiClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services
            .AddHttpClient<EllipsisDriveApiClient>(static (provider, client) =>
            {
                var scheme = provider.GetRequiredService<IOptions<EllipsisDriveTokenOptions>>().Value.Scheme;
                client.BaseAddress = provider.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>().Get(scheme).BaseAddress;
            })
            .AddEllipsisDriveAccessToken();
    }
}
