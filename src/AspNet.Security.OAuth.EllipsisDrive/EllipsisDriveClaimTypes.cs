namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Claim types issued by the Ellipsis Drive handler beyond the standard <see cref="System.Security.Claims.ClaimTypes"/>.
/// </summary>
public static class EllipsisDriveClaimTypes
{
    /// <summary>
    /// The user's plan (<c>plan.type</c> of the account, for example <c>pro</c>).
    /// </summary>
    public const string Plan = "urn:ellipsisdrive:plan";

    /// <summary>
    /// The user's Ellipsis Drive user name (<c>username</c> of the account).
    /// </summary>
    public const string Username = "urn:ellipsisdrive:username";

    /// <summary>
    /// The user's display name, when the account has one (<c>name</c>).
    /// </summary>
    public const string DisplayName = "urn:ellipsisdrive:name";

    /// <summary>
    /// The user's company, when the account has one (<c>companyName</c> or <c>company_name</c>).
    /// </summary>
    public const string Company = "urn:ellipsisdrive:company";

    /// <summary>
    /// Whether the account is disabled (<c>disabled</c>: <c>true</c> or <c>false</c>).
    /// </summary>
    public const string Disabled = "urn:ellipsisdrive:disabled";
}
