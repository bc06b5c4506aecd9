using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Refuses, at start-up, Blazor circuits over tokens kept in the auth cookie: a circuit has no response to write a cookie
/// to, so a refresh made in it would be lost, and with refresh-token rotation the next page load would spend a refresh
/// token Ellipsis Drive already replaced and end the session.
/// </summary>
internal sealed class EllipsisDriveCircuitValidation(IServiceProviderIsService services) : IValidateOptions<EllipsisDriveTokenOptions>
{
    internal const string CookieModeMessage =
        "AddEllipsisDriveCircuits() needs the Ellipsis Drive tokens kept on the server, and they are kept in the auth cookie (cookie mode): " +
        "a Blazor circuit cannot rewrite the cookie, so a token refreshed in a circuit would be lost and, with a rotated refresh token, the session would end at the next page load. " +
        "Call services.AddEllipsisDriveSessions() (server-side sessions), or register a token store such as AddEllipsisDriveEntityFrameworkCoreStore().";

    public ValidateOptionsResult Validate(string? name, EllipsisDriveTokenOptions options) =>
        services.IsService(typeof(EllipsisDriveTicketStore)) || services.IsService(typeof(IEllipsisDriveTokenStore))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(CookieModeMessage);
}
