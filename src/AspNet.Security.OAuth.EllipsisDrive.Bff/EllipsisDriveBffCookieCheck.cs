using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Says so when the session cookie of the BFF endpoints is <c>SameSite=None</c>: it then goes with requests that other
/// sites start. The CSRF header still stops them; a SameSite cookie is the second line, and the app's to set, so this only
/// warns (the package never changes the app's cookies).
/// </summary>
internal sealed partial class EllipsisDriveBffCookieCheck(
    IOptions<EllipsisDriveTokenOptions> tokenOptions,
    IOptionsMonitor<EllipsisDriveOptions> handlerOptions,
    ILogger<EllipsisDriveBffCookieCheck> logger) : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (options.Cookie.SameSite == SameSiteMode.None
            && name is not null
            && string.Equals(name, tokenOptions.Value.ResolveCookieScheme(handlerOptions), StringComparison.Ordinal))
        {
            LogSameSiteNone(logger, name);
        }
    }

    [LoggerMessage(EventId = 1604, Level = LogLevel.Warning, Message = "The session cookie of the '{CookieScheme}' scheme is SameSite=None: browsers send it with requests other sites start. The backend-for-frontend endpoints still refuse those (the CSRF header, Sec-Fetch-Site), but set Cookie.SameSite to Lax or Strict in AddCookie unless the app must be embedded in another site.")]
    private static partial void LogSameSiteNone(ILogger logger, string cookieScheme);
}
