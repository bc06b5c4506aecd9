using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Puts <see cref="EllipsisDriveDecodedCookieCache"/> in front of the standard ticket format of the cookie scheme that
/// holds the Ellipsis Drive sign-in (the one the token service reads), unless
/// <see cref="EllipsisDriveTokenOptions.CacheDecodedCookies"/> is off. A format the app set itself is left alone.
/// </summary>
internal sealed class EllipsisDriveDecodedCookieCacheSetup(
    IDataProtectionProvider dataProtection,
    IOptions<EllipsisDriveTokenOptions> tokenOptions,
    IOptions<AuthenticationOptions> authenticationOptions,
    IOptionsMonitor<EllipsisDriveOptions> handlerOptions)
    : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!tokenOptions.Value.CacheDecodedCookies || name is null || !string.Equals(name, CookieScheme(), StringComparison.Ordinal))
        {
            return;
        }

        if (options.TicketDataFormat is null)
        {
            // This ran before the cookie handler's own post-configure (AddEllipsisDriveTokens came before AddCookie): let
            // it set its defaults now, exactly as it would have. It only fills what is unset, so its later run changes nothing.
            new PostConfigureCookieAuthenticationOptions(dataProtection).PostConfigure(name, options);
        }

        if (options.TicketDataFormat?.GetType() == typeof(TicketDataFormat))
        {
            options.TicketDataFormat = new EllipsisDriveDecodedCookieCache(options.TicketDataFormat);
        }
    }

    // The scheme the token service reads (EllipsisDriveTokenOptions.ResolveCookieScheme), else the default sign-in scheme:
    // read from the options here, as the scheme provider only answers asynchronously.
    private string? CookieScheme()
    {
        try
        {
            if (tokenOptions.Value.ResolveCookieScheme(handlerOptions) is { } scheme)
            {
                return scheme;
            }
        }
        catch (OptionsValidationException)
        {
            // Invalid handler options fail at start-up with their own message; the default below is as good a guess here.
        }

        return authenticationOptions.Value.DefaultSignInScheme ?? authenticationOptions.Value.DefaultScheme;
    }
}
