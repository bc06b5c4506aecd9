namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

/// <summary>
/// The endpoints of the emulator, used to count recorded requests and to target injected faults.
/// </summary>
public enum EmulatorEndpoint
{
    /// <summary><c>GET /v3/oauth/authorize</c>: validates the authorization request and shows the consent page.</summary>
    Authorize,

    /// <summary><c>POST /v3/oauth/authorize/consent</c>: the consent page's form submission.</summary>
    Consent,

    /// <summary><c>POST /v3/oauth/token</c> with <c>grant_type=authorization_code</c>.</summary>
    TokenAuthorizationCode,

    /// <summary><c>POST /v3/oauth/token</c> with <c>grant_type=refresh_token</c>.</summary>
    TokenRefresh,

    /// <summary><c>GET /v3/account</c>.</summary>
    Account,

    /// <summary><c>GET /v3/account/root/{rootName}</c>.</summary>
    ListRoot,

    /// <summary><c>GET /v3/path/{pathId}</c>.</summary>
    Path,

    /// <summary><c>POST /v3/validate</c>.</summary>
    Validate,

    /// <summary><c>GET /v3/path/{pathId}/list</c>: the children of a folder.</summary>
    ListFolder,
}
