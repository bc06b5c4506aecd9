using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// Endpoints the hostile tests need beyond <see cref="Infrastructure.EllipsisDriveTestHost"/>'s, added in front of
/// its pipeline (so its files stay as they are):
/// <c>/hostile/token</c> gets the access token through the token service and answers <c>ok</c> (never the token);
/// a token failure answers 503 and a required sign-in 401, each with the exception's message and its inner one;
/// <c>/hostile/whoami</c> answers the user name or <c>anonymous</c>; <c>/hostile/signout</c> signs out of the cookie.
/// </summary>
internal sealed class HostileEndpoints : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            switch (context.Request.Path.Value)
            {
                case "/hostile/token":
                    await TokenAsync(context);
                    return;
                case "/hostile/whoami":
                    var result = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    await context.Response.WriteAsync(result.Succeeded ? result.Principal!.FindFirstValue(ClaimTypes.Name) ?? "?" : "anonymous");
                    return;
                case "/hostile/signout":
                    await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    await context.Response.WriteAsync("signed-out");
                    return;
                default:
                    await nextMiddleware(context);
                    return;
            }
        });
        next(app);
    };

    private static async Task TokenAsync(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IEllipsisDriveTokenService>();
        try
        {
            await tokens.GetAccessTokenAsync(context, context.RequestAborted);
            await context.Response.WriteAsync("ok");
        }
        catch (EllipsisDriveSignInRequiredException exception)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync(Describe(exception));
        }
        catch (EllipsisDriveTokenException exception)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync(Describe(exception));
        }
    }

    private static string Describe(Exception exception) =>
        exception.InnerException is null ? exception.Message : exception.Message + " | " + exception.InnerException.Message;
}
