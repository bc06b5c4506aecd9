using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Answers "sign in again" (<see cref="EllipsisDriveSignInRequiredException"/>) with a sign-in instead of an HTTP 500.
/// </summary>
public static class EllipsisDriveSignInRequiredExtensions
{
    /// <summary>
    /// Catches <see cref="EllipsisDriveSignInRequiredException"/> thrown further down the pipeline (by
    /// <see cref="IEllipsisDriveTokenService"/>, the <see cref="HttpClient"/> handler or <see cref="EllipsisDriveApiClient"/>)
    /// while the response has not started, and keeps the headers already set (the deleted auth cookie of an ended session).
    /// A page request is challenged with the <see cref="EllipsisDriveTokenOptions.Scheme"/> scheme and comes back to the
    /// same URL (to the app's root after a method other than GET or HEAD); an API or XHR request gets a 401 with a
    /// <c>WWW-Authenticate</c> challenge naming that scheme and a problem-details body. Other exceptions pass through.
    /// Place it after <c>UseAuthentication</c> and <c>UseAuthorization</c>, before the endpoints, and after
    /// <c>UseDeveloperExceptionPage</c> or <c>UseExceptionHandler</c> (they clear the response, sign-out cookie included).
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <returns>The application builder.</returns>
    public static IApplicationBuilder UseEllipsisDriveSignInRequired(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<EllipsisDriveSignInRequiredMiddleware>(PathString.Empty);
    }

    /// <summary>
    /// As <see cref="UseEllipsisDriveSignInRequired(IApplicationBuilder)"/>, but a page request is redirected to the app's
    /// own page that connects Ellipsis Drive, <paramref name="connectPath"/><c>?returnUrl=</c>(the local URL to come back to),
    /// instead of being challenged: for Ellipsis Drive connected to local accounts (ASP.NET Core Identity), where a plain
    /// Ellipsis Drive sign-in would not link the new grant to the local user. API and XHR requests still get the 401.
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <param name="connectPath">The app's connect page, e.g. <c>/connect</c>.</param>
    /// <returns>The application builder.</returns>
    public static IApplicationBuilder UseEllipsisDriveSignInRequired(this IApplicationBuilder app, PathString connectPath)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!connectPath.HasValue)
        {
            throw new ArgumentException("The connect path must be a path of the app, such as '/connect'.", nameof(connectPath));
        }

        return app.UseMiddleware<EllipsisDriveSignInRequiredMiddleware>(connectPath);
    }
}
