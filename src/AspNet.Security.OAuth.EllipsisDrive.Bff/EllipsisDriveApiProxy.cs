using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The API proxy endpoint: checks the call (origin, CSRF header, method, allow-listed path), gets the signed-in user's
/// access token from the token layer, and forwards the call to the API with YARP's forwarder, which streams both bodies.
/// On a 401 from the API it refreshes the token once and sends the call again, when the request body can be sent twice.
/// </summary>
internal sealed partial class EllipsisDriveApiProxy : IDisposable
{
    public const string PathRouteValue = "ellipsisDriveApiPath";

    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;
    private readonly IEllipsisDriveTokenService _tokens;
    private readonly EllipsisDriveBffRequests _requests;
    private readonly EllipsisDriveBffOptions _options;
    private readonly IReadOnlyList<string[]> _patterns;
    private readonly string _scheme;
    private readonly IOptionsMonitor<EllipsisDriveOptions> _handlerOptions;
    private readonly ILogger _logger;

    public EllipsisDriveApiProxy(
        IHttpForwarder forwarder,
        IForwarderHttpClientFactory clientFactory,
        IEllipsisDriveTokenService tokens,
        EllipsisDriveBffRequests requests,
        IOptions<EllipsisDriveBffOptions> options,
        IOptions<EllipsisDriveTokenOptions> tokenOptions,
        IOptionsMonitor<EllipsisDriveOptions> handlerOptions,
        ILogger<EllipsisDriveApiProxy> logger)
    {
        _forwarder = forwarder;
        // YARP's client: no proxy, no redirects, no cookies, no decompression: the bytes go through as the API sent them.
        _client = clientFactory.CreateClient(new ForwarderHttpClientContext { NewConfig = HttpClientConfig.Empty });
        _tokens = tokens;
        _requests = requests;
        _options = options.Value;
        _patterns = [.. _options.ApiPaths.Select(p => EllipsisDriveApiPath.TryParsePattern(p, out var segments, out _) ? segments : [])];
        _scheme = tokenOptions.Value.Scheme;
        _handlerOptions = handlerOptions;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var result = await ForwardAsync(context).ConfigureAwait(false);
        if (result is not null)
        {
            await result.ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    public void Dispose() => _client.Dispose();

    // Returns the answer to write when the call was not forwarded (or forwarding failed before the response started).
    private async Task<IResult?> ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        if (_requests.RefuseForeign(context) is { } refused)
        {
            LogRefused(_logger, "origin or CSRF header");
            return refused;
        }

        if (!_options.ApiMethods.Contains(request.Method))
        {
            context.Response.Headers.Allow = string.Join(", ", _options.ApiMethods.Select(m => m.ToUpperInvariant()).Order(StringComparer.Ordinal));
            LogRefused(_logger, "method");
            return EllipsisDriveBffRequests.Problem(StatusCodes.Status405MethodNotAllowed, $"{request.Method} is not forwarded to the Ellipsis Drive API (EllipsisDriveBffOptions.ApiMethods).");
        }

        if (context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true)
        {
            LogRefused(_logger, "upgrade");
            return EllipsisDriveBffRequests.Problem(StatusCodes.Status400BadRequest, "Protocol upgrades (WebSockets) are not forwarded to the Ellipsis Drive API.");
        }

        var segments = EllipsisDriveApiPath.Split(context.GetRouteValue(PathRouteValue) as string);
        if (segments is null || !EllipsisDriveApiPath.Matches(_patterns, segments))
        {
            LogRefused(_logger, "path");
            return EllipsisDriveBffRequests.Problem(StatusCodes.Status404NotFound, "This path is not forwarded to the Ellipsis Drive API (EllipsisDriveBffOptions.ApiPaths).");
        }

        var baseAddress = _handlerOptions.Get(_scheme).BaseAddress;
        var target = new Uri(baseAddress.AbsoluteUri + EllipsisDriveApiPath.Escape(segments) + request.QueryString.ToUriComponent());
        var prefix = baseAddress.GetLeftPart(UriPartial.Authority);

        string token;
        try
        {
            token = await _tokens.GetAccessTokenAsync(context, context.RequestAborted).ConfigureAwait(false);
        }
        catch (EllipsisDriveSignInRequiredException)
        {
            return _requests.Unauthorized(context, "Nobody is signed in, or the Ellipsis Drive sign-in has ended. Sign in again.");
        }
        catch (EllipsisDriveTokenException exception) when (exception.IsTransient)
        {
            return Unavailable(context);
        }

        var canRetry = await TryMakeBodyReplayableAsync(request, _options.MaxRetryBodySize, context.RequestAborted).ConfigureAwait(false);
        var transformer = new EllipsisDriveApiTransformer(target, token, holdBack401: canRetry, _scheme);
        var error = await _forwarder.SendAsync(context, prefix, _client, ForwarderRequestConfig.Empty, transformer).ConfigureAwait(false);

        if (transformer.HeldBack401)
        {
            // Only the status line was copied from the held-back 401; headers the app set before (a renewed auth cookie) stay.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Features.GetRequiredFeature<IHttpResponseFeature>().ReasonPhrase = null;
            LogRetryingAfter401(_logger);
            try
            {
                token = await _tokens.RefreshAccessTokenAsync(context, token, context.RequestAborted).ConfigureAwait(false);
            }
            catch (EllipsisDriveSignInRequiredException)
            {
                return _requests.Unauthorized(context, "The Ellipsis Drive sign-in has ended. Sign in again.");
            }
            catch (EllipsisDriveTokenException exception) when (exception.IsTransient)
            {
                return Unavailable(context);
            }

            if (request.Body.CanSeek)
            {
                request.Body.Position = 0;
            }

            transformer = new EllipsisDriveApiTransformer(target, token, holdBack401: false, _scheme);
            error = await _forwarder.SendAsync(context, prefix, _client, ForwarderRequestConfig.Empty, transformer).ConfigureAwait(false);
        }

        if (error == ForwarderError.None)
        {
            return null;
        }

        LogForwardingFailed(_logger, error);
        return context.Response.HasStarted || context.RequestAborted.IsCancellationRequested
            ? null
            : EllipsisDriveBffRequests.Problem(context.Response.StatusCode, "The Ellipsis Drive API could not be reached, or did not answer in time.");
    }

    private static IResult Unavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return EllipsisDriveBffRequests.Problem(StatusCodes.Status503ServiceUnavailable, "The Ellipsis Drive token endpoint is unavailable for now; the sign-in is kept. Try again shortly.");
    }

    // A request without a body, or with a known small one (read into memory here), can be sent twice.
    private static async Task<bool> TryMakeBodyReplayableAsync(HttpRequest request, long maxSize, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false || request.ContentLength == 0)
        {
            return true;
        }

        if (request.ContentLength is not { } length || length > maxSize)
        {
            return false;
        }

        request.EnableBuffering(bufferThreshold: (int)Math.Min(length, 64 * 1024), bufferLimit: maxSize);
        await request.Body.DrainAsync(cancellationToken).ConfigureAwait(false);
        request.Body.Position = 0;
        return true;
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "A call to the Ellipsis Drive API proxy was refused: {Reason}.")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Information, Message = "The Ellipsis Drive API answered 401 through the proxy; refreshing the access token once and sending the call again.")]
    private static partial void LogRetryingAfter401(ILogger logger);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Warning, Message = "Forwarding a call to the Ellipsis Drive API failed: {Error}.")]
    private static partial void LogForwardingFailed(ILogger logger, ForwarderError error);
}
