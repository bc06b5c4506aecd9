using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Maps the backend-for-frontend endpoints of a single-page app that signs in with Ellipsis Drive and keeps no token.
/// </summary>
public static class EllipsisDriveBffEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps a same-origin proxy to the Ellipsis Drive API at <paramref name="pattern"/>: <c>{pattern}/account/root/myDrive?pageSize=10</c>
    /// is sent to <c>{BaseAddress}account/root/myDrive?pageSize=10</c> with the signed-in user's access token attached on
    /// the server (refreshed when needed, and once more when the API answers 401). A call must come from this origin's
    /// script with the <see cref="EllipsisDriveBffOptions.CsrfHeaderName"/> header set to <c>1</c> (403 otherwise), use an
    /// allowed method (405) on an allowed path (404) of <see cref="EllipsisDriveBffOptions"/>, and be made by a signed-in
    /// user (401 otherwise, never a redirect). Bodies stream both ways; cookies, the caller's <c>Authorization</c> and
    /// other browser headers are not sent on, and the API's <c>Set-Cookie</c>, <c>WWW-Authenticate</c> and other headers
    /// not needed by a browser are not passed back.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The path the proxy answers under. The default is <c>/api/ellipsis</c>.</param>
    /// <returns>A builder to add conventions (rate limiting, CORS is not needed: the proxy is same-origin).</returns>
    /// <exception cref="InvalidOperationException"><c>AddEllipsisDriveBff</c> was not called.</exception>
    public static IEndpointConventionBuilder MapEllipsisDriveApi(this IEndpointRouteBuilder endpoints, string pattern = "/api/ellipsis")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var proxy = Require<EllipsisDriveApiProxy>(endpoints);
        return endpoints.Map(pattern.TrimEnd('/') + "/{**" + EllipsisDriveApiProxy.PathRouteValue + "}", proxy.InvokeAsync);
    }

    /// <summary>
    /// Maps the single-page app's session endpoints under <paramref name="prefix"/>:
    /// <list type="bullet">
    /// <item><c>GET {prefix}/user</c>: the signed-in user's claims listed in <see cref="EllipsisDriveBffOptions.UserClaimTypes"/>,
    /// as <c>{"claims":[{"type":"...","value":"..."}]}</c>; 401 JSON when nobody is signed in. Needs the CSRF header.</item>
    /// <item><c>GET {prefix}/login?returnUrl=/path</c>: a navigation (not a fetch) that signs in with Ellipsis Drive and comes
    /// back to <c>returnUrl</c> when it is a local path of this app, to <c>/</c> otherwise.</item>
    /// <item><c>POST {prefix}/logout</c>: signs out (a server-side session is removed with its tokens) and answers 204. Needs
    /// the CSRF header.</item>
    /// </list>
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="prefix">The path of the endpoints. The default is <c>/bff</c>.</param>
    /// <returns>A builder to add conventions to the three endpoints.</returns>
    /// <exception cref="InvalidOperationException"><c>AddEllipsisDriveBff</c> was not called.</exception>
    public static IEndpointConventionBuilder MapEllipsisDriveBff(this IEndpointRouteBuilder endpoints, string prefix = "/bff")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var user = Require<EllipsisDriveBffUserEndpoints>(endpoints);
        var group = endpoints.MapGroup(prefix.TrimEnd('/'));
        group.MapGet("/user", (Func<HttpContext, Task<IResult>>)user.UserAsync);
        group.MapGet("/login", (Func<HttpContext, IResult>)user.Login);
        group.MapPost("/logout", (Func<HttpContext, Task<IResult>>)user.LogoutAsync);
        return group;
    }

    private static T Require<T>(IEndpointRouteBuilder endpoints)
        where T : notnull =>
        endpoints.ServiceProvider.GetService<T>()
        ?? throw new InvalidOperationException("The Ellipsis Drive backend-for-frontend services are not registered: call builder.Services.AddEllipsisDriveBff() before mapping its endpoints.");
}
