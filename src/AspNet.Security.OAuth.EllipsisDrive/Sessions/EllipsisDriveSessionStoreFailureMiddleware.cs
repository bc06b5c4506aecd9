using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Answers HTTP 503 instead of 500 when the session store is unavailable, in front of the app's own pipeline.
/// </summary>
internal sealed class EllipsisDriveSessionStoreFailureMiddleware : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(static async (context, nextMiddleware) =>
        {
            try
            {
                await nextMiddleware(context).ConfigureAwait(false);
            }
            catch (EllipsisDriveSessionStoreUnavailableException) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = 5.ToString(CultureInfo.InvariantCulture);
            }
        });
        next(app);
    };
}
