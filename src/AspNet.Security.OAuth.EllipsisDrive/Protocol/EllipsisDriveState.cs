using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The short <c>state</c> sent to Ellipsis Drive in place of the protected properties.
/// </summary>
/// <remarks>
/// Ellipsis Drive likely stores <c>state</c> in a <c>varchar(50)</c> column, while ASP.NET Core's state (the properties
/// protected by <c>StateDataFormat</c>) runs to hundreds of characters. So the handler sends a random 43-character state
/// and keeps the protected properties in the correlation cookie, one per pending sign-in (so tabs do not clobber each
/// other), named after a hash of the state so the state itself never appears outside the provider redirect.
/// </remarks>
internal static class EllipsisDriveState
{
    /// <summary>The longest state the provider can store.</summary>
    public const int MaxStateLength = 50;

    /// <summary>The default name prefix of the state cookie (<c>CorrelationCookie.Name</c>).</summary>
    public const string CookiePrefix = ".AspNetCore.EllipsisDrive.State.";

    // Truncated to 132 bits: plenty to keep the pending sign-ins of one browser apart.
    private const int CookieNameHashLength = 22;

    // Issue times a little in the future are another server's clock running ahead, not forgery.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>A new unguessable state: 256 random bits, 43 characters.</summary>
    public static string NewState() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Whether <paramref name="state"/> could be one the handler issued, checked before anything is looked up.</summary>
    public static bool IsWellFormed(string? state) =>
        !string.IsNullOrEmpty(state) && state.Length <= MaxStateLength && state.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The name of the cookie that holds the protected properties of <paramref name="state"/>.</summary>
    public static string GetCookieName(string state, string prefix = CookiePrefix) => prefix + Hash(state)[..CookieNameHashLength];

    /// <summary>The SHA-256 of <paramref name="state"/>, base64url: what is kept of a state outside the browser.</summary>
    public static string Hash(string state) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(state)));

    /// <summary>Whether a state issued at <paramref name="issuedAt"/> is still good at <paramref name="now"/>.</summary>
    public static bool IsFresh(DateTimeOffset issuedAt, DateTimeOffset now, TimeSpan lifetime) =>
        now <= issuedAt + lifetime && now >= issuedAt - ClockSkew;
    /// <summary>What went wrong with a callback's state, and what to do.</summary>
    public static string Describe(StateFailure failure, TimeSpan lifetime) => failure switch
    {
        StateFailure.Missing => "The Ellipsis Drive callback carries no valid 'state' parameter.",
        StateFailure.NotFound => "The sign-in state of this Ellipsis Drive callback was not found: the sign-in was already completed, started in another browser, or its cookie expired. Start the sign-in again.",
        StateFailure.Unreadable => "The sign-in state cookie could not be read: it was altered, or protected with Data Protection keys this server does not share. Start the sign-in again.",
        StateFailure.Reused => "The sign-in state of this Ellipsis Drive callback was already used: a callback is good for one sign-in attempt. Start the sign-in again.",
        StateFailure.Mismatch => "The sign-in state cookie belongs to another sign-in than this Ellipsis Drive callback. Start the sign-in again.",
        _ => string.Create(
            CultureInfo.InvariantCulture,
            $"The sign-in state expired: the sign-in must complete within {lifetime.TotalMinutes} minutes (RemoteAuthenticationTimeout). Start the sign-in again."),
    };
}

/// <summary>Why the state of a callback could not be used.</summary>
internal enum StateFailure
{
    /// <summary>The callback carries no usable <c>state</c>.</summary>
    Missing,

    /// <summary>No cookie for this state: used already, expired in the browser, or started elsewhere.</summary>
    NotFound,

    /// <summary>The cookie does not unprotect: tampered with, or protected with other keys.</summary>
    Unreadable,

    /// <summary>The cookie was issued for another state.</summary>
    Mismatch,

    /// <summary>The cookie is older than the sign-in time limit.</summary>
    Expired,

    /// <summary>The state was used by an earlier callback (a replayed copy of the cookie).</summary>
    Reused,
}
