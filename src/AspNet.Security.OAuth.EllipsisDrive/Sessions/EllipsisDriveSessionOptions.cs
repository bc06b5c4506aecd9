using Microsoft.AspNetCore.Authentication.Cookies;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Options of the server-side session store that <c>AddEllipsisDriveSessions</c> puts behind the auth cookie.
/// </summary>
public class EllipsisDriveSessionOptions
{
    /// <summary>
    /// Gets or sets the cookie authentication scheme whose tickets are kept on the server.
    /// The default is <see cref="CookieAuthenticationDefaults.AuthenticationScheme"/>.
    /// </summary>
    public string CookieScheme { get; set; } = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>
    /// Gets or sets the prefix of the session entries' keys in the <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>.
    /// Apps that share one cache (for example one Redis) must share this prefix too. The default is <c>eds:</c>
    /// ("Ellipsis Drive session"): short, because there is one such entry per signed-in user and a longer key name costs
    /// Redis memory on every one of them (docs/benchmarks.md); the entry's value is protected and says nothing by itself.
    /// </summary>
    public string KeyPrefix { get; set; } = "eds:";

    /// <summary>
    /// Gets or sets how long a session entry lives when its ticket has no expiry. The default is 14 days,
    /// the default lifetime of the auth cookie.
    /// </summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// Gets or sets how long one session-store operation may take before the store counts as unavailable.
    /// The default is 500 ms, so that a request answers within a second when the cache (for example Redis) is down.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Gets or sets what a request gets when the session store is unavailable.
    /// The default is <see cref="EllipsisDriveSessionStoreFailureBehavior.ServiceUnavailable"/>: a signed-in user whose
    /// session cannot be read in time is told to try again, not shown as signed out (docs/reliability.md has the figures:
    /// with <see cref="EllipsisDriveSessionStoreFailureBehavior.SignedOut"/> a 3-second Redis stall signed every user out,
    /// though no session was lost and no sign-in could complete meanwhile).
    /// </summary>
    public EllipsisDriveSessionStoreFailureBehavior StoreFailureBehavior { get; set; } = EllipsisDriveSessionStoreFailureBehavior.ServiceUnavailable;

    /// <summary>
    /// Whether a session's principal carries a protected reference to its session while in memory (set by
    /// <c>AddEllipsisDriveCircuits</c>, so that a circuit finds the session of its user).
    /// </summary>
    internal bool AddSessionReference { get; set; }
}
