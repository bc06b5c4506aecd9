using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>
/// Puts an app under test on the Ellipsis Drive emulator, for example from a <c>WebApplicationFactory</c>.
/// </summary>
public static class EllipsisDriveEmulatorWebHostBuilderExtensions
{
    /// <summary>
    /// Runs the app on the emulator (<see cref="EllipsisDriveEmulatorServiceCollectionExtensions.AddEllipsisDriveEmulator"/>):
    /// call it from <c>WebApplicationFactory&lt;Program&gt;.ConfigureWebHost</c> or <c>WithWebHostBuilder</c>, then get
    /// the running <see cref="EllipsisDriveEmulator"/> from the factory's services and sign in with
    /// <see cref="EllipsisDriveEmulatorHttpClientExtensions.SignInWithEllipsisDriveEmulatorAsync"/>.
    /// </summary>
    /// <param name="builder">The app's web host builder.</param>
    /// <param name="configure">Adjusts the emulator's options; optional.</param>
    /// <returns>The builder.</returns>
    public static IWebHostBuilder UseEllipsisDriveEmulator(this IWebHostBuilder builder, Action<EllipsisDriveEmulatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services => services.AddEllipsisDriveEmulator(configure));
    }
}
