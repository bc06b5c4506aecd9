namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Default values used by the Ellipsis Drive authentication handler.
/// </summary>
public static class EllipsisDriveDefaults
{
    /// <summary>
    /// Default value for <see cref="Microsoft.AspNetCore.Authentication.AuthenticationScheme.Name"/>.
    /// </summary>
    public const string AuthenticationScheme = "EllipsisDrive";

    /// <summary>
    /// Default value for <see cref="Microsoft.AspNetCore.Authentication.AuthenticationScheme.DisplayName"/>.
    /// </summary>
    public const string DisplayName = "Ellipsis Drive";

    /// <summary>
    /// Default value for <see cref="Microsoft.AspNetCore.Authentication.RemoteAuthenticationOptions.CallbackPath"/>.
    /// </summary>
    public const string CallbackPath = "/signin-ellipsisdrive";

    /// <summary>
    /// Default value for <see cref="EllipsisDriveOptions.BaseAddress"/>: the public Ellipsis Drive API, version 3.
    /// </summary>
    public const string BaseAddress = "https://api.ellipsis-drive.com/v3/";

    /// <summary>
    /// Default value for <see cref="Microsoft.AspNetCore.Authentication.OAuth.OAuthOptions.AuthorizationEndpoint"/>,
    /// derived from <see cref="BaseAddress"/>.
    /// </summary>
    public const string AuthorizationEndpoint = BaseAddress + AuthorizationEndpointPath;

    /// <summary>
    /// Default value for <see cref="Microsoft.AspNetCore.Authentication.OAuth.OAuthOptions.TokenEndpoint"/>,
    /// derived from <see cref="BaseAddress"/>.
    /// </summary>
    public const string TokenEndpoint = BaseAddress + TokenEndpointPath;

    /// <summary>
    /// Default value for <see cref="Microsoft.AspNetCore.Authentication.OAuth.OAuthOptions.UserInformationEndpoint"/>,
    /// derived from <see cref="BaseAddress"/>.
    /// </summary>
    public const string UserInformationEndpoint = BaseAddress + UserInformationEndpointPath;

    /// <summary>
    /// Default value for the scope requested: <c>projects</c>, the only scope Ellipsis Drive defines.
    /// </summary>
    public const string Scope = "projects";

    /// <summary>
    /// The authorization endpoint, relative to <see cref="EllipsisDriveOptions.BaseAddress"/>.
    /// </summary>
    public const string AuthorizationEndpointPath = "oauth/authorize";

    /// <summary>
    /// The token endpoint, relative to <see cref="EllipsisDriveOptions.BaseAddress"/>.
    /// </summary>
    public const string TokenEndpointPath = "oauth/token";

    /// <summary>
    /// The account ("Get account details") endpoint, relative to <see cref="EllipsisDriveOptions.BaseAddress"/>.
    /// </summary>
    public const string UserInformationEndpointPath = "account";
}
