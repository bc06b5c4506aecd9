using System.Diagnostics;
using Microsoft.AspNetCore.Authentication;

namespace BlazorApp;

/// <summary>
/// Turns a failed sign-in (Ellipsis Drive or the network failed, the state expired, ...) into the error page with a
/// correlation id to quote; the reason goes to the log (the handler's messages never carry a token or a secret).
/// </summary>
internal static partial class RemoteFailure
{
    private const int MaxMessageLength = 300;

    public static Task HandleAsync(RemoteFailureContext context)
    {
        var correlationId = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        var message = context.Failure?.Message is { Length: > 0 } failure
            ? failure.Length <= MaxMessageLength ? failure : failure[..MaxMessageLength] + "…"
            : "The sign-in did not complete.";

        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("BlazorApp.SignIn");
        LogRemoteFailure(logger, correlationId, message);

        context.Response.Redirect("/error?signin=failed&correlationId=" + Uri.EscapeDataString(correlationId));
        context.HandleResponse();
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Sign-in with Ellipsis Drive failed (correlation id {CorrelationId}): {FailureMessage}")]
    private static partial void LogRemoteFailure(ILogger logger, string correlationId, string failureMessage);
}
