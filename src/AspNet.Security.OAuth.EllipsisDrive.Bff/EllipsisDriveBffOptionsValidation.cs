using System.Buffers;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Start-up checks of <see cref="EllipsisDriveBffOptions"/>: a mistake here would otherwise show as a 404, a 405 or a
/// CSRF hole on the first call.
/// </summary>
internal sealed class EllipsisDriveBffOptionsValidation : IValidateOptions<EllipsisDriveBffOptions>
{
    // RFC 9110 tchar: what a method or a header name may be made of.
    private static readonly SearchValues<char> TokenChars = EllipsisDriveApiRequests.TokenChars;

    // Headers a page may send cross-origin without a CORS preflight (Fetch standard, "CORS-safelisted request-header"),
    // and headers a page cannot set at all: neither proves that the request came from the app's own script.
    private static readonly HashSet<string> UnfitCsrfHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Accept", "Accept-Language", "Content-Language", "Content-Type", "Range",
        "Cookie", "Host", "Origin", "Referer", "Connection", "Content-Length", "Authorization",
    };

    public ValidateOptionsResult Validate(string? name, EllipsisDriveBffOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.CsrfHeaderName) || options.CsrfHeaderName.AsSpan().ContainsAnyExcept(TokenChars))
        {
            failures.Add($"EllipsisDriveBffOptions.CsrfHeaderName must be a header name such as 'X-CSRF'; '{options.CsrfHeaderName}' is not.");
        }
        else if (UnfitCsrfHeaders.Contains(options.CsrfHeaderName) || options.CsrfHeaderName.StartsWith("Sec-", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"EllipsisDriveBffOptions.CsrfHeaderName cannot be '{options.CsrfHeaderName}': another site's page can send it (or no page can). Use a custom header such as 'X-CSRF'.");
        }

        if (options.ApiPaths.Count == 0)
        {
            failures.Add("EllipsisDriveBffOptions.ApiPaths is empty: the proxy would forward nothing. Add the API paths the app calls, such as 'account/root/*'.");
        }

        foreach (var path in options.ApiPaths)
        {
            if (!EllipsisDriveApiPath.TryParsePattern(path, out _, out var problem))
            {
                failures.Add($"EllipsisDriveBffOptions.ApiPaths: '{path}' {problem}");
            }
        }

        if (options.ApiMethods.Count == 0)
        {
            failures.Add("EllipsisDriveBffOptions.ApiMethods is empty: the proxy would forward nothing. The default is GET and HEAD.");
        }

        foreach (var method in options.ApiMethods)
        {
            if (string.IsNullOrEmpty(method) || method.AsSpan().ContainsAnyExcept(TokenChars))
            {
                failures.Add($"EllipsisDriveBffOptions.ApiMethods: '{method}' is not an HTTP method.");
            }
            else if (method.Equals("CONNECT", StringComparison.OrdinalIgnoreCase) || method.Equals("TRACE", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"EllipsisDriveBffOptions.ApiMethods: {method.ToUpperInvariant()} cannot be forwarded (a tunnel, or an echo of the request's credentials).");
            }
        }

        if (options.MaxRetryBodySize < 0)
        {
            failures.Add($"EllipsisDriveBffOptions.MaxRetryBodySize must be 0 or more; it is {options.MaxRetryBodySize}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
