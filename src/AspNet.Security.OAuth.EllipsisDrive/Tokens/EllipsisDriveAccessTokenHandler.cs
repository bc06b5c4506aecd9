using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Attaches the signed-in user's Ellipsis Drive access token to requests for the API's origin (and only those), and on
/// a 401 refreshes once and sends the request again when its content can be sent twice.
/// </summary>
internal sealed partial class EllipsisDriveAccessTokenHandler : DelegatingHandler
{
    // Bodies up to this size are buffered so that a request can be sent again after a 401.
    private const long MaxReplayableContentLength = 1024 * 1024;

    private readonly IEllipsisDriveTokenService _tokens;
    private readonly IHttpContextAccessor _httpContextAccessor;
    private readonly IOptionsMonitor<EllipsisDriveOptions> _handlerOptions;
    private readonly IOptions<EllipsisDriveTokenOptions> _options;
    private readonly EllipsisDriveForeignOrigins _foreignOrigins;
    private readonly EllipsisDriveCircuitServices? _circuits;
    private readonly ILogger _logger;

    public EllipsisDriveAccessTokenHandler(
        IEllipsisDriveTokenService tokens,
        IHttpContextAccessor httpContextAccessor,
        IOptionsMonitor<EllipsisDriveOptions> handlerOptions,
        IOptions<EllipsisDriveTokenOptions> options,
        EllipsisDriveForeignOrigins foreignOrigins,
        ILogger<EllipsisDriveAccessTokenHandler> logger,
        EllipsisDriveCircuitServices? circuits = null)
    {
        _tokens = tokens;
        _httpContextAccessor = httpContextAccessor;
        _handlerOptions = handlerOptions;
        _options = options;
        _foreignOrigins = foreignOrigins;
        _circuits = circuits;
        _logger = logger;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var baseAddress = _handlerOptions.Get(_options.Value.Scheme).BaseAddress;
        if (request.RequestUri is not { IsAbsoluteUri: true } target || !SameOrigin(target, baseAddress))
        {
            // Never hand the user's token to another origin. Say so once: a client aimed there by mistake only sees 401s.
            if (request.RequestUri is { IsAbsoluteUri: true } foreign)
            {
                ReportForeignOrigin(foreign, baseAddress);
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        request.Options.TryGetValue(EllipsisDriveHttpRequestOptions.UserKey, out var userKey);
        request.Options.TryGetValue(EllipsisDriveHttpRequestOptions.SessionId, out var sessionId);
        // Inside a Blazor circuit, its user, even when IHttpContextAccessor returns the circuit's WebSocket request.
        var circuit = userKey is null && sessionId is null ? _circuits?.Tokens : null;
        var httpContext = userKey is null && sessionId is null && circuit is null ? _httpContextAccessor.HttpContext : null;
        if (userKey is null && sessionId is null && circuit is null && httpContext is null)
        {
            throw new EllipsisDriveSignInRequiredException(
                "An Ellipsis Drive API call was made outside a request without saying for whom: set EllipsisDriveHttpRequestOptions.UserKey (a grant kept by the token store) or EllipsisDriveHttpRequestOptions.SessionId (a server-side session) on the request; in Blazor interactive server components, call AddEllipsisDriveCircuits().");
        }

        var source = new TokenSource(userKey, sessionId, circuit, httpContext);
        var token = await GetTokenAsync(source, rejectedAccessToken: null, cancellationToken).ConfigureAwait(false);

        var replayable = await TryMakeReplayableAsync(request.Content, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        if (!replayable)
        {
            LogNotReplayable(_logger);
            return response;
        }

        response.Dispose();
        LogRetryingAfter401(_logger);
        var newToken = await GetTokenAsync(source, token, cancellationToken).ConfigureAwait(false);

        using var retry = Clone(request);
        retry.Headers.Authorization = new AuthenticationHeaderValue("Bearer", newToken);
        return await base.SendAsync(retry, cancellationToken).ConfigureAwait(false);
    }

    // For a stored grant, a server-side session, the user of the current circuit or of the current request;
    // rejectedAccessToken refreshes after a 401.
    private Task<string> GetTokenAsync(TokenSource source, string? rejectedAccessToken, CancellationToken cancellationToken) =>
        source.UserKey is { } userKey ? _tokens.GetAccessTokenForUserAsync(userKey, rejectedAccessToken, cancellationToken)
        : source.SessionId is { } sessionId ? _tokens.GetAccessTokenForSessionAsync(sessionId, rejectedAccessToken, cancellationToken)
        : source.Circuit is { } circuit ? rejectedAccessToken is null ? circuit.GetAccessTokenAsync(cancellationToken) : circuit.RefreshAccessTokenAsync(rejectedAccessToken, cancellationToken)
        : rejectedAccessToken is null ? _tokens.GetAccessTokenAsync(source.HttpContext!, cancellationToken)
        : _tokens.RefreshAccessTokenAsync(source.HttpContext!, rejectedAccessToken, cancellationToken);

    internal static bool SameOrigin(Uri target, Uri baseAddress) =>
        Uri.Compare(target, baseAddress, UriComponents.Scheme | UriComponents.Host | UriComponents.StrongPort, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private void ReportForeignOrigin(Uri target, Uri baseAddress)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        // Scheme, host and port only: a path or query may carry something private, user info a credential.
        var requestOrigin = target.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        var apiOrigin = baseAddress.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        if (_foreignOrigins.FirstSeen(requestOrigin, apiOrigin))
        {
            LogForeignOrigin(_logger, requestOrigin, apiOrigin);
        }
    }

    private static async Task<bool> TryMakeReplayableAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return true;
        }

        var length = content.Headers.ContentLength;
        if (length > MaxReplayableContentLength || (length is null && content is StreamContent))
        {
            return false; // A large or unknown stream is not read twice; the 401 goes back to the caller.
        }

        await content.LoadIntoBufferAsync(MaxReplayableContentLength, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static HttpRequestMessage Clone(HttpRequestMessage request)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Content = request.Content, // Buffered above, so it can be sent again.
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
        };

        foreach (var header in request.Headers)
        {
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in request.Options)
        {
            ((IDictionary<string, object?>)clone.Options)[option.Key] = option.Value;
        }

        return clone;
    }

    private sealed record TokenSource(string? UserKey, string? SessionId, EllipsisDriveCircuitTokens? Circuit, HttpContext? HttpContext);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "The Ellipsis Drive API answered 401; refreshing the access token once and sending the request again.")]
    private static partial void LogRetryingAfter401(ILogger logger);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "The Ellipsis Drive API answered 401, and the request body cannot be sent twice; the 401 is returned without a retry.")]
    private static partial void LogNotReplayable(ILogger logger);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "A request through the Ellipsis Drive access-token handler went to '{RequestOrigin}' without an access token: the token is only sent to the API's origin, '{ApiOrigin}'. If the request was meant for the Ellipsis Drive API, fix the client's BaseAddress or EllipsisDriveOptions.BaseAddress. Reported once per origin.")]
    private static partial void LogForeignOrigin(ILogger logger, string requestOrigin, string apiOrigin);
}
