using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Tells a request from code (fetch, XHR, an API client), which must get a 401 it can act on, from a browser navigation,
/// which can follow a redirect to Ellipsis Drive. Both the handler's challenge and the sign-in-required middleware use it.
/// </summary>
internal static class EllipsisDriveApiRequests
{
    // RFC 9110 tchar: what an auth-scheme in WWW-Authenticate may be made of.
    internal static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>
    /// An API request, in this order:
    /// <list type="number">
    /// <item><c>X-Requested-With: XMLHttpRequest</c> (what the cookie handler checks before its login redirect): API.</item>
    /// <item>an <c>Accept</c> header that ranks a JSON type (<c>application/json</c>, any <c>+json</c>) above HTML
    /// (<c>text/html</c>, <c>application/xhtml+xml</c>) is an API request; one that ranks HTML above JSON, as every browser
    /// navigation does, is a page. Wildcards count for neither.</item>
    /// <item>otherwise (no <c>Accept</c>, <c>*/*</c>, a tie): an API request when the endpoint is an <c>[ApiController]</c>
    /// action or declares JSON responses only (as a minimal API returning an object or <c>TypedResults.Ok&lt;T&gt;</c> does).</item>
    /// </list>
    /// Anything else is a page request.
    /// </summary>
    public static bool IsApiRequest(HttpRequest request)
    {
        if (string.Equals(request.Headers.XRequestedWith, "XMLHttpRequest", StringComparison.Ordinal))
        {
            return true;
        }

        double json = 0, html = 0;
        foreach (var mediaType in request.GetTypedHeaders().Accept)
        {
            var quality = mediaType.Quality ?? 1;
            if (IsHtml(mediaType))
            {
                html = Math.Max(html, quality);
            }
            else if (IsJson(mediaType))
            {
                json = Math.Max(json, quality);
            }
        }

        if (json != html)
        {
            return json > html;
        }

        return request.HttpContext.GetEndpoint()?.Metadata is { } metadata && DeclaresJsonOnly(metadata);
    }

    /// <summary>
    /// Sets a 401 with a <c>WWW-Authenticate</c> challenge naming the scheme to sign in with (RFC 9110 requires a challenge
    /// on a 401). Not <c>Bearer</c>: the app takes no bearer token, the caller must sign in interactively with that scheme.
    /// A scheme name that is not a valid auth-scheme token is replaced by <see cref="EllipsisDriveDefaults.AuthenticationScheme"/>.
    /// </summary>
    public static void SetUnauthorized(HttpResponse response, string scheme)
    {
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.Append(
            HeaderNames.WWWAuthenticate,
            scheme.Length > 0 && !scheme.AsSpan().ContainsAnyExcept(TokenChars) ? scheme : EllipsisDriveDefaults.AuthenticationScheme);
    }

    private static bool DeclaresJsonOnly(EndpointMetadataCollection metadata)
    {
        if (metadata.GetMetadata<IApiBehaviorMetadata>() is not null)
        {
            return true;
        }

        var any = false;
        foreach (var produces in metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>())
        {
            foreach (var contentType in produces.ContentTypes)
            {
                if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || !IsJson(mediaType))
                {
                    return false;
                }

                any = true;
            }
        }

        return any;
    }

    private static bool IsHtml(MediaTypeHeaderValue mediaType) =>
        mediaType.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
        || mediaType.MediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase);

    private static bool IsJson(MediaTypeHeaderValue mediaType) =>
        mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || (!mediaType.MatchesAllSubTypes && mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}
