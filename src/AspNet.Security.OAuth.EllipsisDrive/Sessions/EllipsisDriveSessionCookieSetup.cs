using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Puts the ticket store behind the chosen cookie scheme, unless the app set a store of its own.
/// </summary>
internal sealed class EllipsisDriveSessionCookieSetup(EllipsisDriveTicketStore store, IOptions<EllipsisDriveSessionOptions> options)
    : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions cookieOptions)
    {
        if (string.Equals(name, options.Value.CookieScheme, StringComparison.Ordinal))
        {
            cookieOptions.SessionStore ??= store;
        }
    }
}
