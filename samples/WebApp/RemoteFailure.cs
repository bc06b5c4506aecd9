using System.Diagnostics;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace WebApp;

/// <summary>
/// Turns a failed sign-in (Ellipsis Drive or the network failed, the state expired, ...) into the friendly error page:
/// a short message and a correlation id to quote, never a stack trace.
/// </summary>
internal static partial class RemoteFailure
{
    public const string MessageKey = "Error.Message";
    public const string CorrelationIdKey = "Error.CorrelationId";

    private const int MaxMessageLength = 300;

    public static Task HandleAsync(RemoteFailureContext context)
    {
        var httpContext = context.HttpContext;
        var correlationId = CorrelationId(httpContext);

        // The handler's failure messages carry the HTTP status and the server's own message, never a token or a secret.
        var message = context.Failure?.Message is { Length: > 0 } failure
            ? failure.Length <= MaxMessageLength ? failure : failure[..MaxMessageLength] + "…"
            : "The sign-in did not complete.";

        var logger = httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("WebApp.SignIn");
        LogRemoteFailure(logger, correlationId, message);

        var tempData = httpContext.RequestServices.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(httpContext);
        tempData[MessageKey] = message;
        tempData[CorrelationIdKey] = correlationId;
        tempData.Save();

        context.Response.Redirect("/Home/Error");
        context.HandleResponse();
        return Task.CompletedTask;
    }

    public static string CorrelationId(HttpContext httpContext) => Activity.Current?.Id ?? httpContext.TraceIdentifier;

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Sign-in with Ellipsis Drive failed (correlation id {CorrelationId}): {FailureMessage}")]
    private static partial void LogRemoteFailure(ILogger logger, string correlationId, string failureMessage);
}
