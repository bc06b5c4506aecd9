using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Development;

/// <summary>Points every Ellipsis Drive scheme at the development emulator, as its registered client.</summary>
internal sealed class PointAtEmulator(DevelopmentEmulator emulator) : IPostConfigureOptions<EllipsisDriveOptions>
{
    public void PostConfigure(string? name, EllipsisDriveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var baseAddress = emulator.Emulator.BaseAddress;
        options.BaseAddress = baseAddress;
        options.ClientId = emulator.Client.ClientId;
        options.ClientSecret = emulator.Client.ClientSecret;
        // The emulator's own endpoints, also over endpoints the app set explicitly.
        options.AuthorizationEndpoint = new Uri(baseAddress, EllipsisDriveDefaults.AuthorizationEndpointPath).AbsoluteUri;
        options.TokenEndpoint = new Uri(baseAddress, EllipsisDriveDefaults.TokenEndpointPath).AbsoluteUri;
        options.UserInformationEndpoint = new Uri(baseAddress, EllipsisDriveDefaults.UserInformationEndpointPath).AbsoluteUri;
    }
}
