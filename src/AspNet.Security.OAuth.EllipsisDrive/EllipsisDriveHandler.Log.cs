using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive;

public partial class EllipsisDriveHandler
{
    /// <summary>
    /// The handler's log lines. None carries a token, a code, a verifier, a state or a secret.
    /// </summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, EventName = "StateRejected", Level = LogLevel.Warning,
            Message = "The Ellipsis Drive callback was rejected: its sign-in state is {Failure}.")]
        public static partial void StateRejected(ILogger logger, StateFailure failure);

        [LoggerMessage(EventId = 2, EventName = "CodeRejected", Level = LogLevel.Warning,
            Message = "The Ellipsis Drive callback was rejected: it carries {CodeCount} 'code' value(s), or one that is empty, too long or not printable ASCII.")]
        public static partial void CodeRejected(ILogger logger, int codeCount);

        [LoggerMessage(EventId = 5, EventName = "CodeExchangeFailed", Level = LogLevel.Warning,
            Message = "The authorization code exchange failed ({Kind}, HTTP status {StatusCode}, error '{Error}').")]
        public static partial void CodeExchangeFailed(ILogger logger, EllipsisDriveTokenErrorKind kind, int? statusCode, string? error);

        [LoggerMessage(EventId = 7, EventName = "NameIdentifierFromUsername", Level = LogLevel.Warning,
            Message = "The Ellipsis Drive account answer has no 'id'; its 'username' is used as the name identifier, which changes if the user is renamed.")]
        public static partial void NameIdentifierFromUsername(ILogger logger);

        [LoggerMessage(EventId = 8, EventName = "ChallengeIssued", Level = LogLevel.Debug,
            Message = "The browser was redirected to the Ellipsis Drive authorization endpoint; its properties wait in the state cookie.")]
        public static partial void ChallengeIssued(ILogger logger);
    }
}
