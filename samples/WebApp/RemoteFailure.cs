using System.Diagnostics;
using System.Globalization;
using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace WebApp;

/// <summary>
/// Turns a failed sign-in (the state expired, Ellipsis Drive or the network failed, ...) into the friendly error page:
/// what happened in plain words, a "Sign in again" button, and a short correlation id that the log line carries too.
/// The handler's own message (for developers) goes to the log only.
/// </summary>
internal static partial class RemoteFailure
{
    public const string MessageKey = "Error.Message";
    public const string CorrelationIdKey = "Error.CorrelationId";

    public static Task HandleAsync(RemoteFailureContext context)
    {
        var httpContext = context.HttpContext;
        var correlationId = CorrelationId(httpContext);

        // The handler's failure messages carry the HTTP status and the server's own message, never a token or a secret.
        var logger = httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("WebApp.SignIn");
        LogRemoteFailure(logger, correlationId, context.Failure?.Message ?? "(no message)");

        var tempData = httpContext.RequestServices.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(httpContext);
        tempData[MessageKey] = Describe(context.Failure);
        tempData[CorrelationIdKey] = correlationId;
        tempData.Save();

        context.Response.Redirect("/Home/Error");
        context.HandleResponse();
        return Task.CompletedTask;
    }

    /// <summary>What a person needs to know about a failed sign-in; every case is fixed by signing in again.</summary>
    public static string Describe(Exception? failure) => failure switch
    {
        EllipsisDriveTokenException { IsTransient: true } token =>
            $"Ellipsis Drive could not complete the sign-in just now{Status(token.StatusCode)}. Wait a minute, then sign in again.",
        EllipsisDriveTokenException token =>
            $"Ellipsis Drive did not accept this sign-in{Status(token.StatusCode)}. Sign in again; if it keeps happening, quote the id below.",
        { Message: var message } when message.Contains("state", StringComparison.OrdinalIgnoreCase) =>
            "This sign-in had expired or was already finished, for example because you went back to it, waited too long, " +
            "or signed in from another tab. Nothing is wrong with your account: sign in again.",
        { Message: var message } when message.Contains("account endpoint", StringComparison.Ordinal) =>
            $"Ellipsis Drive let you in, but your account details could not be loaded{Status(StatusIn(message))}. Sign in again in a minute.",
        _ => "The sign-in with Ellipsis Drive did not complete. Sign in again; if it keeps happening, quote the id below.",
    };

    /// <summary>
    /// A short id for the failure: the first 12 hex digits of the request's W3C trace id (a prefix search finds the
    /// trace), which the log line of the failure carries as well.
    /// </summary>
    public static string CorrelationId(HttpContext httpContext)
    {
        var traceId = Activity.Current?.TraceId.ToHexString();
        return traceId is { Length: >= 12 } ? traceId[..12] : httpContext.TraceIdentifier;
    }

    private static string Status(int? statusCode) =>
        statusCode is { } code ? string.Create(CultureInfo.InvariantCulture, $" (it answered HTTP {code})") : string.Empty;

    private static int? StatusIn(string message)
    {
        const string Marker = "HTTP ";
        var at = message.IndexOf(Marker, StringComparison.Ordinal);
        return at >= 0 && message.Length >= at + Marker.Length + 3
            && int.TryParse(message.AsSpan(at + Marker.Length, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? code
            : null;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Sign-in with Ellipsis Drive failed (correlation id {CorrelationId}): {FailureMessage}")]
    private static partial void LogRemoteFailure(ILogger logger, string correlationId, string failureMessage);
}
