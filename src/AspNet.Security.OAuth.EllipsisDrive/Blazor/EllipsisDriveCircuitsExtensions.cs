using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Ellipsis Drive token support for Blazor interactive server components.
/// </summary>
public static class EllipsisDriveCircuitsExtensions
{
    /// <summary>
    /// Lets interactive server components call the Ellipsis Drive API as their circuit's user, over WebSockets or long
    /// polling, with prerendering on or off: inside a circuit, the <see cref="HttpClient"/> handler
    /// (<c>AddEllipsisDriveAccessToken</c>) and <see cref="EllipsisDriveApiClient"/> take the user from the circuit's
    /// <see cref="AuthenticationStateProvider"/>, never from <c>IHttpContextAccessor</c>; components can also inject
    /// <see cref="EllipsisDriveCircuitTokens"/>. The tokens must be kept on the server, with <c>AddEllipsisDriveSessions()</c>
    /// or a token store: start-up fails in cookie mode, where a refresh made in a circuit could not be saved.
    /// </summary>
    /// <param name="builder">The builder that <c>AddInteractiveServerComponents()</c> returned.</param>
    /// <returns>The builder.</returns>
    public static IServerSideBlazorBuilder AddEllipsisDriveCircuits(this IServerSideBlazorBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddEllipsisDriveTokens();
        services.Configure<EllipsisDriveSessionOptions>(options => options.AddSessionReference = true);
        services.TryAddSingleton<EllipsisDriveCircuitServices>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, EllipsisDriveCircuitHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EllipsisDriveTokenOptions>, EllipsisDriveCircuitValidation>());
        services.TryAddScoped(static provider =>
        {
            var registered = provider.GetRequiredService<IServiceProviderIsService>();
            return new EllipsisDriveCircuitTokens(
                provider.GetRequiredService<AuthenticationStateProvider>(),
                provider.GetRequiredService<IEllipsisDriveTokenService>(),
                provider.GetRequiredService<IOptions<EllipsisDriveTokenOptions>>(),
                provider.GetRequiredService<IDataProtectionProvider>(),
                hasSessions: registered.IsService(typeof(EllipsisDriveTicketStore)),
                hasGrantStore: registered.IsService(typeof(IEllipsisDriveTokenStore)));
        });
        return builder;
    }
}
