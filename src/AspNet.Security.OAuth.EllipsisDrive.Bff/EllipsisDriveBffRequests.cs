using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The checks every backend-for-frontend call passes before anything else: it comes from a page of this origin (the
/// browser's <c>Sec-Fetch-Site</c>, else <c>Origin</c>), and it carries the CSRF header, which only this origin's
/// script can send. And the answers the SPA gets instead of a redirect: 401 and 403 problem-details JSON.
/// </summary>
internal sealed class EllipsisDriveBffRequests(IOptions<EllipsisDriveBffOptions> options, IOptions<EllipsisDriveTokenOptions> tokenOptions)
{
    public const string CsrfHeaderValue = "1";

    /// <summary>Returns the 403 to answer when the request is not from this app's own script, else <see langword="null"/>.</summary>
    public IResult? RefuseForeign(HttpContext context)
    {
        var request = context.Request;
        var headerName = options.Value.CsrfHeaderName;

        // Sec-Fetch-Site is set by the browser and cannot be forged by a page; every current browser sends it.
        var site = request.Headers["Sec-Fetch-Site"];
        if (site.Count > 0)
        {
            if (!string.Equals(site.ToString(), "same-origin", StringComparison.OrdinalIgnoreCase))
            {
                return Forbidden("The call came from another origin (Sec-Fetch-Site); only the app's own pages may call this endpoint.");
            }
        }
        else if (request.Headers.Origin.Count > 0 && !IsOwnOrigin(request, request.Headers.Origin.ToString()))
        {
            // An older browser: a cross-origin fetch or form POST still sends Origin.
            return Forbidden("The call came from another origin (Origin); only the app's own pages may call this endpoint.");
        }

        if (!string.Equals(request.Headers[headerName].ToString(), CsrfHeaderValue, StringComparison.Ordinal))
        {
            return Forbidden($"The '{headerName}: {CsrfHeaderValue}' request header is required: send it with every call from the app's script.");
        }

        return null;
    }

    /// <summary>The 401 for a caller who is not signed in (or whose sign-in ended): JSON, never a redirect.</summary>
    public IResult Unauthorized(HttpContext context, string detail)
    {
        EllipsisDriveApiRequests.SetUnauthorized(context.Response, tokenOptions.Value.Scheme);
        return Problem(StatusCodes.Status401Unauthorized, detail);
    }

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, detail);

    public static IResult Problem(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);

    private static bool IsOwnOrigin(HttpRequest request, string origin) =>
        string.Equals(origin, request.Scheme + "://" + request.Host.ToUriComponent(), StringComparison.OrdinalIgnoreCase);
}
