using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Lets code that holds only the signed-in user, such as a Blazor circuit with its authentication state, find the user's
/// server-side session. The session's principal carries a claim with the session key protected by Data Protection, never
/// the key itself: an app that lists every claim on a page or in a log shows an opaque value that no endpoint accepts.
/// The claim is added when a session is read and removed before one is written, so it exists only in memory on the
/// server (never in the cookie, which in server mode carries only the cookie handler's own session-id claim), and only
/// when <c>AddEllipsisDriveCircuits</c> asked for it.
/// </summary>
internal static class EllipsisDriveSessionReference
{
    public const string ClaimType = "urn:ellipsisdrive:session-reference";

    private const string Purpose = "AspNet.Security.OAuth.EllipsisDrive.Sessions.Reference.v1";

    public static IDataProtector CreateProtector(IDataProtectionProvider provider) => provider.CreateProtector(Purpose);

    /// <summary>Adds the reference to <paramref name="principal"/>'s first identity (a freshly read ticket carries none).</summary>
    public static void Attach(ClaimsPrincipal principal, string sessionKey, IDataProtector protector)
    {
        if (principal.Identities.FirstOrDefault() is { } identity)
        {
            identity.AddClaim(new Claim(ClaimType, protector.Protect(sessionKey)));
        }
    }

    /// <summary><paramref name="principal"/> as it is when it carries no reference; otherwise a copy without it.</summary>
    public static ClaimsPrincipal Detach(ClaimsPrincipal principal)
    {
        if (!principal.HasClaim(c => c.Type == ClaimType))
        {
            return principal;
        }

        var copy = principal.Clone();
        foreach (var identity in copy.Identities)
        {
            foreach (var claim in identity.FindAll(ClaimType).ToList())
            {
                identity.TryRemoveClaim(claim);
            }
        }

        return copy;
    }

    /// <summary>The session key <paramref name="principal"/> refers to, or <see langword="null"/> when it carries no valid reference.</summary>
    public static string? Read(ClaimsPrincipal principal, IDataProtector protector)
    {
        if (principal.FindFirst(ClaimType)?.Value is not { Length: > 0 } value)
        {
            return null;
        }

        try
        {
            return protector.Unprotect(value);
        }
        catch (CryptographicException)
        {
            return null; // Keys rotated away, or not ours: no session.
        }
    }
}
