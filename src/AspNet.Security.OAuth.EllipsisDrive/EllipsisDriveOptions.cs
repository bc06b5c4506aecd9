using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Configuration options for the Ellipsis Drive authentication handler.
/// </summary>
public class EllipsisDriveOptions : OAuthOptions
{
    /// <summary>
    /// Initializes a new <see cref="EllipsisDriveOptions"/> with the Ellipsis Drive defaults.
    /// </summary>
    public EllipsisDriveOptions()
    {
        CallbackPath = EllipsisDriveDefaults.CallbackPath;
        AuthorizationEndpoint = EllipsisDriveDefaults.AuthorizationEndpoint;
        TokenEndpoint = EllipsisDriveDefaults.TokenEndpoint;
        UserInformationEndpoint = EllipsisDriveDefaults.UserInformationEndpoint;
        UsePkce = true;
        SaveTokens = true;
        Scope.Add(EllipsisDriveDefaults.Scope);

        // The correlation cookie also carries the protected properties (the state sent is too short to hold them). Lax,
        // not None: Ellipsis Drive comes back with a top-level GET redirect, which Lax cookies follow.
        CorrelationCookie.Name = EllipsisDriveState.CookiePrefix;
        CorrelationCookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax;

        ClaimActions.MapJsonKey(ClaimTypes.Name, "username");
        ClaimActions.MapJsonKey(EllipsisDriveClaimTypes.Username, "username");
        ClaimActions.MapJsonKey(ClaimTypes.Email, "email");
        ClaimActions.MapJsonKey(EllipsisDriveClaimTypes.DisplayName, "name");
        ClaimActions.MapJsonSubKey(EllipsisDriveClaimTypes.Plan, "plan", "type");
        ClaimActions.MapCustomJson(EllipsisDriveClaimTypes.Company, static user =>
            EllipsisDriveJson.ReadString(user, "companyName", "company_name"));
        ClaimActions.MapCustomJson(EllipsisDriveClaimTypes.Disabled, static user =>
            user.TryGetProperty("disabled", out var disabled) && disabled.ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False
                ? (disabled.ValueKind == System.Text.Json.JsonValueKind.True ? "true" : "false")
                : null);
    }

    /// <summary>
    /// Gets or sets the base address of the Ellipsis Drive API, ending with a slash.
    /// The default is <see cref="EllipsisDriveDefaults.BaseAddress"/>; set it for a private instance
    /// (for example <c>https://example.api.ellipsis-drive.com/v3/</c>). The authorization, token and
    /// account endpoints are derived from it unless they are set explicitly.
    /// </summary>
    public Uri BaseAddress { get; set; } = new(EllipsisDriveDefaults.BaseAddress);

    /// <summary>
    /// Gets or sets how the client authenticates at the token endpoint.
    /// The default is <see cref="EllipsisDriveClientAuthenticationMethod.RequestBody"/>.
    /// </summary>
    public EllipsisDriveClientAuthenticationMethod ClientAuthenticationMethod { get; set; } = EllipsisDriveClientAuthenticationMethod.RequestBody;

    /// <summary>
    /// Gets or sets how token requests are encoded.
    /// The default is <see cref="EllipsisDriveTokenRequestEncoding.Json"/>, as every official Ellipsis Drive client sends.
    /// </summary>
    public EllipsisDriveTokenRequestEncoding TokenRequestEncoding { get; set; } = EllipsisDriveTokenRequestEncoding.Json;

    /// <summary>
    /// Checks that the options are valid.
    /// </summary>
    /// <exception cref="ArgumentException">An option is missing or invalid; the message names it and says what to do.</exception>
    public override void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClientId))
        {
            throw new ArgumentException(
                $"The '{nameof(ClientId)}' option must be provided: register an OAuth client in Ellipsis Drive (Account settings, Developer settings) and set EllipsisDrive:ClientId.",
                nameof(ClientId));
        }

        if (string.IsNullOrWhiteSpace(ClientSecret))
        {
            throw new ArgumentException(
                $"The '{nameof(ClientSecret)}' option must be provided: use the client secret Ellipsis Drive gave when the OAuth client was registered (EllipsisDrive:ClientSecret).",
                nameof(ClientSecret));
        }

        foreach (var name in AdditionalAuthorizationParameters.Keys)
        {
            if (ProtocolParameters.Contains(name))
            {
                throw new ArgumentException(
                    $"The '{nameof(AdditionalAuthorizationParameters)}' option contains '{name}', a parameter the handler sets itself: remove it (set the scope with the '{nameof(Scope)}' option or per challenge with OAuthChallengeProperties).",
                    nameof(AdditionalAuthorizationParameters));
            }
        }

        ValidateEndpoint(BaseAddress?.OriginalString, nameof(BaseAddress));
        ValidateEndpoint(AuthorizationEndpoint, nameof(AuthorizationEndpoint));
        ValidateEndpoint(TokenEndpoint, nameof(TokenEndpoint));
        ValidateEndpoint(UserInformationEndpoint, nameof(UserInformationEndpoint));

        base.Validate();
    }

    // What the authorization request already carries: OAuthHandler throws on a duplicate when it builds the URL.
    private static readonly string[] ProtocolParameters =
        ["response_type", "client_id", "redirect_uri", "scope", "state", OAuthConstants.CodeChallengeKey, OAuthConstants.CodeChallengeMethodKey];

    private static void ValidateEndpoint(string? value, string optionName)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"The '{optionName}' option must be provided.", optionName);
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException(
                $"The '{optionName}' option must be an absolute http or https URI, such as '{EllipsisDriveDefaults.BaseAddress}'; '{value}' is not.",
                optionName);
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
        {
            throw new ArgumentException(
                $"The '{optionName}' option must use https: plain http is only allowed for loopback hosts (such as the emulator); '{uri.Host}' is not a loopback host.",
                optionName);
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
