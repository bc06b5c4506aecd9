using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Turns an <see cref="EllipsisDriveSignInRequiredException"/> from further down the pipeline into a new sign-in: a
/// challenge of the Ellipsis Drive scheme (or a redirect to the app's own connect page) for a page, a 401 problem for an
/// API call (<see cref="EllipsisDriveApiRequests"/>). The response is not cleared, so the cookie the token service deleted
/// when the session ended stays deleted.
/// </summary>
internal sealed partial class EllipsisDriveSignInRequiredMiddleware(
    RequestDelegate next,
    PathString connectPath,
    IOptions<EllipsisDriveTokenOptions> options,
    ILogger<EllipsisDriveSignInRequiredMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (EllipsisDriveSignInRequiredException) when (context.Response.HasStarted)
        {
            LogResponseStarted(logger);
            throw;
        }
        catch (EllipsisDriveSignInRequiredException)
        {
            var scheme = options.Value.Scheme;
            var request = context.Request;
            if (EllipsisDriveApiRequests.IsApiRequest(request))
            {
                EllipsisDriveApiRequests.SetUnauthorized(context.Response, scheme);
                await TypedResults.Problem(
                        detail: "The Ellipsis Drive sign-in has ended or holds no usable access token. Sign in again.",
                        statusCode: StatusCodes.Status401Unauthorized)
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            // A form's data cannot survive the round trip to Ellipsis Drive: after a POST (or PUT, ...) the user lands on
            // the app's root rather than on a GET of a URL that may only accept the original method.
            var redirectUri = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
                ? UriHelper.BuildRelative(request.PathBase, request.Path, request.QueryString)
                : UriHelper.BuildRelative(request.PathBase, "/");
            if (connectPath.HasValue)
            {
                context.Response.Redirect(UriHelper.BuildRelative(request.PathBase, connectPath, QueryString.Create("returnUrl", redirectUri)));
                return;
            }

            await context.ChallengeAsync(scheme, new AuthenticationProperties { RedirectUri = redirectUri }).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "The user must sign in with Ellipsis Drive again, but the response had already started: it cannot become a challenge, and the exception is passed on. Get the access token before writing the response.")]
    private static partial void LogResponseStarted(ILogger logger);
}
