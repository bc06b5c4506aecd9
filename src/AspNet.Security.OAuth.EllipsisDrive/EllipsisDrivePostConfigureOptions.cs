using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Derives the endpoints of a private Ellipsis Drive instance from <see cref="EllipsisDriveOptions.BaseAddress"/>,
/// leaving any endpoint that was set explicitly untouched.
/// </summary>
internal sealed class EllipsisDrivePostConfigureOptions : IPostConfigureOptions<EllipsisDriveOptions>
{
    public void PostConfigure(string? name, EllipsisDriveOptions options)
    {
        if (options.BaseAddress is null or { IsAbsoluteUri: false, OriginalString.Length: 0 })
        {
            // An empty "EllipsisDrive:BaseAddress" in configuration binds to null (or an empty URI): it means "not set".
            options.BaseAddress = new Uri(EllipsisDriveDefaults.BaseAddress);
        }

        if (options.BaseAddress is not { IsAbsoluteUri: true } baseAddress)
        {
            return; // Validate() names the option.
        }

        if (!baseAddress.AbsolutePath.EndsWith('/'))
        {
            // "https://host/v3" would otherwise resolve "oauth/token" against "https://host/".
            options.BaseAddress = baseAddress = new UriBuilder(baseAddress) { Path = baseAddress.AbsolutePath + "/" }.Uri;
        }

        if (string.Equals(options.AuthorizationEndpoint, EllipsisDriveDefaults.AuthorizationEndpoint, StringComparison.Ordinal))
        {
            options.AuthorizationEndpoint = Derive(baseAddress, EllipsisDriveDefaults.AuthorizationEndpointPath);
        }

        if (string.Equals(options.TokenEndpoint, EllipsisDriveDefaults.TokenEndpoint, StringComparison.Ordinal))
        {
            options.TokenEndpoint = Derive(baseAddress, EllipsisDriveDefaults.TokenEndpointPath);
        }

        if (string.Equals(options.UserInformationEndpoint, EllipsisDriveDefaults.UserInformationEndpoint, StringComparison.Ordinal))
        {
            options.UserInformationEndpoint = Derive(baseAddress, EllipsisDriveDefaults.UserInformationEndpointPath);
        }
    }

    internal static string Derive(Uri baseAddress, string relativePath) =>
        new UriBuilder(baseAddress)
        {
            Path = baseAddress.AbsolutePath + relativePath,
            Query = string.Empty,
            Fragment = string.Empty,
        }.Uri.AbsoluteUri;
}
