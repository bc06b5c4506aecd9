using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

/// <summary>Log lines of the emulator. None of them carries a code, token, verifier or secret.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Ellipsis Drive emulator listening on {BaseAddress}")]
    public static partial void Started(ILogger logger, Uri baseAddress);

    [LoggerMessage(2, LogLevel.Information, "{Endpoint} rejected a request: {Error}: {Description}")]
    public static partial void Rejected(ILogger logger, EmulatorEndpoint? endpoint, string error, string description);

    [LoggerMessage(3, LogLevel.Information, "Injected fault on {Endpoint}")]
    public static partial void FaultInjected(ILogger logger, EmulatorEndpoint endpoint);

    [LoggerMessage(4, LogLevel.Debug, "Issued tokens to client {ClientId} for user {UserId} ({GrantType})")]
    public static partial void TokensIssued(ILogger logger, string clientId, string userId, string grantType);

    [LoggerMessage(5, LogLevel.Debug, "User {UserName} chose {Decision} for client {ClientId}")]
    public static partial void ConsentGiven(ILogger logger, string userName, string decision, string clientId);
}
