using System.Diagnostics.Metrics;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The counters of the package, created from the host's <see cref="IMeterFactory"/> so that each host
/// (and each test) sees its own. Instrument names are documented in docs/tokens.md.
/// </summary>
internal sealed class EllipsisDriveMetrics
{
    public const string SignInsName = "ellipsisdrive.sign_ins";
    public const string RefreshesName = "ellipsisdrive.token.refreshes";
    public const string RefreshFailuresName = "ellipsisdrive.token.refresh_failures";
    public const string SingleFlightJoinsName = "ellipsisdrive.token.single_flight_joins";
    public const string StoreErrorsName = "ellipsisdrive.session.store_errors";

    private readonly Counter<long> _signIns;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _refreshFailures;
    private readonly Counter<long> _singleFlightJoins;
    private readonly Counter<long> _storeErrors;

    public EllipsisDriveMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(EllipsisDriveTelemetry.MeterName);
        _signIns = meter.CreateCounter<long>(SignInsName, "{sign-in}", "Users signed in with Ellipsis Drive.");
        _refreshes = meter.CreateCounter<long>(RefreshesName, "{refresh}", "Access tokens refreshed at the token endpoint.");
        _refreshFailures = meter.CreateCounter<long>(RefreshFailuresName, "{failure}", "Refresh attempts that failed, by error.kind.");
        _singleFlightJoins = meter.CreateCounter<long>(SingleFlightJoinsName, "{call}", "Token requests that joined a refresh already in flight instead of starting one.");
        _storeErrors = meter.CreateCounter<long>(StoreErrorsName, "{error}", "Session store operations that failed, by operation.");
    }

    /// <summary>
    /// Counts a sign-in; the authentication handler calls this once a ticket is created.
    /// </summary>
    public void SignedIn(string scheme) => _signIns.Add(1, new KeyValuePair<string, object?>("auth.scheme", scheme));

    public void Refreshed() => _refreshes.Add(1);

    public void RefreshFailed(EllipsisDriveTokenErrorKind kind) =>
        _refreshFailures.Add(1, new KeyValuePair<string, object?>("error.kind", ToTag(kind)));

    public void JoinedSingleFlight() => _singleFlightJoins.Add(1);

    public void StoreError(string operation) => _storeErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));

    internal static string ToTag(EllipsisDriveTokenErrorKind kind) => kind switch
    {
        EllipsisDriveTokenErrorKind.InvalidGrant => "invalid_grant",
        EllipsisDriveTokenErrorKind.InvalidClient => "invalid_client",
        EllipsisDriveTokenErrorKind.Transient => "transient",
        EllipsisDriveTokenErrorKind.Rejected => "rejected",
        EllipsisDriveTokenErrorKind.InvalidResponse => "invalid_response",
        _ => "unknown",
    };
}
