using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The names under which the package reports metrics and traces. Listen to the <see cref="Meter"/> of
/// <see cref="MeterName"/> (for example with OpenTelemetry's <c>AddMeter</c>) and to the activity source of
/// <see cref="ActivitySourceName"/> (<c>AddSource</c>).
/// </summary>
public static class EllipsisDriveTelemetry
{
    /// <summary>
    /// The name of the <see cref="Meter"/> and of the <see cref="ActivitySource"/>: <c>AspNet.Security.OAuth.EllipsisDrive</c>.
    /// </summary>
    public const string MeterName = "AspNet.Security.OAuth.EllipsisDrive";

    /// <summary>
    /// The name of the <see cref="ActivitySource"/>: the same as <see cref="MeterName"/>.
    /// </summary>
    public const string ActivitySourceName = MeterName;

    internal const string RefreshActivityName = "EllipsisDrive.RefreshToken";
    internal const string TokenEndpointActivityName = "EllipsisDrive.TokenEndpoint";

    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName, typeof(EllipsisDriveTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Starts the activity that wraps one call to the token endpoint; <paramref name="grantType"/> is
    /// <c>authorization_code</c> or <c>refresh_token</c>. The handler calls this around code redemption.
    /// </summary>
    internal static Activity? StartTokenEndpointActivity(string grantType)
    {
        var activity = ActivitySource.StartActivity(TokenEndpointActivityName, ActivityKind.Client);
        activity?.SetTag("oauth.grant_type", grantType);
        return activity;
    }
}
