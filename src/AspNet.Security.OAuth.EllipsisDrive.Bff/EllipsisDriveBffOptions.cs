using System.Security.Claims;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Options of the backend-for-frontend endpoints: the Ellipsis Drive API proxy (<c>MapEllipsisDriveApi</c>) and the
/// user, login and logout endpoints (<c>MapEllipsisDriveBff</c>). Checked at start-up.
/// </summary>
public class EllipsisDriveBffOptions
{
    /// <summary>
    /// Gets the API paths the proxy forwards, relative to <see cref="EllipsisDriveOptions.BaseAddress"/> and matched
    /// segment by segment, case-sensitively: a literal segment matches itself, <c>*</c> matches any one segment, and
    /// <c>**</c>, as the last segment only, matches any number of segments (none included). A request for any other
    /// path gets a 404 and never reaches Ellipsis Drive. The default allows the documented read-only calls:
    /// <c>account</c>, <c>account/root/*</c> and <c>path/*</c>.
    /// </summary>
    public IList<string> ApiPaths { get; } = ["account", "account/root/*", "path/*"];

    /// <summary>
    /// Gets the HTTP methods the proxy forwards; any other gets a 405. The default is <c>GET</c> and <c>HEAD</c>
    /// (read-only). Add <c>POST</c>, <c>PUT</c>, <c>PATCH</c> or <c>DELETE</c> only together with the paths that need them:
    /// every allowed method is allowed on every allowed path. <c>CONNECT</c> and <c>TRACE</c> are refused at start-up.
    /// </summary>
    public ISet<string> ApiMethods { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "GET", "HEAD" };

    /// <summary>
    /// Gets or sets the request header that every call to the proxy, to the user endpoint and to logout must carry with
    /// the value <c>1</c>. A page of another site cannot send it: a form cannot set headers, and <c>fetch</c> with a
    /// custom header needs a CORS preflight that this app does not grant. The default is <c>X-CSRF</c>. A header a
    /// browser lets any page send without a preflight (<c>Accept</c>, <c>Content-Type</c>, ...) is refused at start-up.
    /// </summary>
    public string CsrfHeaderName { get; set; } = "X-CSRF";

    /// <summary>
    /// Gets or sets the largest request body the proxy keeps in memory so that it can send the request again after the
    /// API answered 401 and the access token was refreshed. A larger body, or one of unknown length (chunked), is
    /// streamed to the API and not retried: the 401 goes back to the browser. The default is 64 KiB; 0 retries only
    /// requests without a body.
    /// </summary>
    public long MaxRetryBodySize { get; set; } = 64 * 1024;

    /// <summary>
    /// Gets the claim types the user endpoint shows to the browser; other claims of the signed-in user are left out.
    /// The default is the user's id, name, e-mail, and the Ellipsis Drive user name, display name, plan and company.
    /// Tokens are never claims here: they are not shown whatever this set holds.
    /// </summary>
    public ISet<string> UserClaimTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ClaimTypes.NameIdentifier,
        ClaimTypes.Name,
        ClaimTypes.Email,
        EllipsisDriveClaimTypes.Username,
        EllipsisDriveClaimTypes.DisplayName,
        EllipsisDriveClaimTypes.Plan,
        EllipsisDriveClaimTypes.Company,
    };
}
