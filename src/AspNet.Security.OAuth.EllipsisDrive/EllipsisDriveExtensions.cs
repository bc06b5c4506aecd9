using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the Ellipsis Drive authentication handler.
/// </summary>
public static class EllipsisDriveExtensions
{
    /// <summary>
    /// Adds Ellipsis Drive authentication with the default scheme, <see cref="EllipsisDriveDefaults.AuthenticationScheme"/>.
    /// The options (at least ClientId and ClientSecret) must then be configured elsewhere, for example with
    /// <c>services.Configure&lt;EllipsisDriveOptions&gt;(EllipsisDriveDefaults.AuthenticationScheme, ...)</c>.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <returns>The authentication builder, for chaining.</returns>
    public static AuthenticationBuilder AddEllipsisDrive(this AuthenticationBuilder builder) =>
        builder.AddEllipsisDrive(EllipsisDriveDefaults.AuthenticationScheme, static _ => { });

    /// <summary>
    /// Adds Ellipsis Drive authentication with the default scheme, <see cref="EllipsisDriveDefaults.AuthenticationScheme"/>.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configureOptions">Configures the options (at least ClientId and ClientSecret).</param>
    /// <returns>The authentication builder, for chaining.</returns>
    public static AuthenticationBuilder AddEllipsisDrive(this AuthenticationBuilder builder, Action<EllipsisDriveOptions> configureOptions) =>
        builder.AddEllipsisDrive(EllipsisDriveDefaults.AuthenticationScheme, configureOptions);

    /// <summary>
    /// Adds Ellipsis Drive authentication with the given scheme.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="configureOptions">Configures the options (at least ClientId and ClientSecret).</param>
    /// <returns>The authentication builder, for chaining.</returns>
    public static AuthenticationBuilder AddEllipsisDrive(this AuthenticationBuilder builder, string authenticationScheme, Action<EllipsisDriveOptions> configureOptions) =>
        builder.AddEllipsisDrive(authenticationScheme, EllipsisDriveDefaults.DisplayName, configureOptions);

    /// <summary>
    /// Adds Ellipsis Drive authentication with the given scheme and display name. The options are validated
    /// when the application starts, so a missing or invalid option fails start-up with an
    /// <see cref="ArgumentException"/> naming it.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="displayName">The display name, shown on login pages.</param>
    /// <param name="configureOptions">Configures the options (at least ClientId and ClientSecret).</param>
    /// <returns>The authentication builder, for chaining.</returns>
    public static AuthenticationBuilder AddEllipsisDrive(
        this AuthenticationBuilder builder,
        string authenticationScheme,
        string? displayName,
        Action<EllipsisDriveOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        ArgumentNullException.ThrowIfNull(configureOptions);

        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<EllipsisDriveMetrics>();
        builder.Services.TryAddSingleton<EllipsisDriveStateReplayGuard>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<EllipsisDriveOptions>, EllipsisDrivePostConfigureOptions>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<EllipsisDriveOptions>, OAuthPostConfigureOptions<EllipsisDriveOptions, EllipsisDriveHandler>>());

        // AddRemoteScheme registers Validate() for the scheme; this runs it at start-up instead of on the first sign-in.
        builder.Services.AddOptions<EllipsisDriveOptions>(authenticationScheme).ValidateOnStart();

        return builder.AddRemoteScheme<EllipsisDriveOptions, EllipsisDriveHandler>(authenticationScheme, displayName, configureOptions);
    }
}
