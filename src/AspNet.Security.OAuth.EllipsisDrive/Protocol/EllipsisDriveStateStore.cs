using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Keeps the <see cref="AuthenticationProperties"/> of a pending sign-in out of the <c>state</c> parameter.
/// </summary>
/// <remarks>
/// Ellipsis Drive likely stores <c>state</c> in a <c>varchar(50)</c> column, while ASP.NET Core's default state
/// (the protected properties) runs to hundreds of characters. So the handler sends a random 43-character
/// state and keeps the properties in a short-lived cookie, one per pending sign-in (so tabs do not clobber
/// each other), named after a hash of the state and protected with Data Protection (so any server sharing
/// the key ring can read it). The protected payload repeats the state and its issue time, so a cookie only
/// answers the sign-in it was issued for, and only until it expires.
/// </remarks>
internal sealed class EllipsisDriveStateStore
{
    /// <summary>The length of every state this store issues (32 random bytes, base64url).</summary>
    public const int StateLength = 43;

    /// <summary>The longest state the provider can store.</summary>
    public const int MaxStateLength = 50;

    internal const string CookiePrefix = ".AspNetCore.EllipsisDrive.State.";

    private const byte FormatVersion = 1;
    private const int StateBytes = 32;
    private const int CookieNameHashLength = 22;

    // Issue times a little in the future are another server's clock running ahead, not forgery.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    // The handler makes a store per sign-in; creating the protector (three nested purposes, each serialized into
    // its authenticated data) is not free, so each provider keeps its protectors per scheme. The weak table lets a
    // provider, and its protectors, go with the application that owns it. A protector reads the current key ring
    // on every call, so a kept one sees key rotation as a new one would.
    private static readonly ConditionalWeakTable<IDataProtectionProvider, ConcurrentDictionary<string, IDataProtector>> Protectors = [];

    private readonly IDataProtector _protector;

    public EllipsisDriveStateStore(IDataProtectionProvider provider, string schemeName)
    {
        _protector = Protectors
            .GetValue(provider, static _ => new ConcurrentDictionary<string, IDataProtector>(StringComparer.Ordinal))
            .GetOrAdd(schemeName, static (scheme, provider) => provider.CreateProtector("AspNet.Security.OAuth.EllipsisDrive.State", scheme, "v1"), provider);
    }

    /// <summary>A new unguessable state: 256 random bits, 43 characters.</summary>
    public static string NewState()
    {
        Span<byte> bytes = stackalloc byte[StateBytes];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// The name of the cookie holding the properties of <paramref name="state"/>. A hash, so the state itself
    /// never appears outside the provider redirect; truncated to 132 bits, plenty to keep tabs apart.
    /// </summary>
    public static string GetCookieName(string state)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        HashState(state, hash);
        Span<char> name = stackalloc char[CookiePrefix.Length + 44];
        CookiePrefix.CopyTo(name);
        var written = Base64Url.EncodeToChars(hash, name[CookiePrefix.Length..]);
        return new string(name[..(CookiePrefix.Length + Math.Min(written, CookieNameHashLength))]);
    }

    /// <summary>SHA-256 of the UTF-8 bytes of <paramref name="state"/>, without allocating (a state is at most 50 characters).</summary>
    public static void HashState(string state, Span<byte> hash)
    {
        Span<byte> utf8 = stackalloc byte[MaxStateLength * 3];
        if (Encoding.UTF8.GetMaxByteCount(state.Length) > utf8.Length)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(state), hash);
            return;
        }

        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(state, utf8)], hash);
    }

    /// <summary>Whether <paramref name="state"/> could be one this store issued, checked before anything is hashed or looked up.</summary>
    public static bool IsWellFormed(string? state)
    {
        if (string.IsNullOrEmpty(state) || state.Length > MaxStateLength)
        {
            return false;
        }

        foreach (var c in state)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    public string Protect(string state, DateTimeOffset issuedAt, AuthenticationProperties properties)
    {
        // Sized for the usual payload (state, time, redirect URI, PKCE verifier), so it is not regrown.
        using var stream = new MemoryStream(capacity: 512);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatVersion);
            writer.Write(state);
            writer.Write(issuedAt.UtcTicks);
            PropertiesSerializer.Default.Write(writer, properties);
        }

        return Base64Url.EncodeToString(_protector.Protect(stream.ToArray()));
    }

    /// <summary>
    /// Reads a cookie value back; the result says why it cannot be used when it cannot.
    /// </summary>
    public StateReadResult Unprotect(string cookieValue, string expectedState, DateTimeOffset now, TimeSpan lifetime)
    {
        string state;
        DateTimeOffset issuedAt;
        AuthenticationProperties? properties;
        try
        {
            var bytes = _protector.Unprotect(Base64Url.DecodeFromChars(cookieValue));
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            if (reader.ReadByte() != FormatVersion)
            {
                return StateReadResult.Failed(StateFailure.Unreadable);
            }

            state = reader.ReadString();
            issuedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            properties = PropertiesSerializer.Default.Read(reader);
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException or IOException or ArgumentException)
        {
            return StateReadResult.Failed(StateFailure.Unreadable);
        }

        if (properties is null)
        {
            return StateReadResult.Failed(StateFailure.Unreadable);
        }

        // Compared as UTF-16 code units, without encoding either: equal strings are equal bytes, and only the length leaks.
        if (!CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(state.AsSpan()), MemoryMarshal.AsBytes(expectedState.AsSpan())))
        {
            return StateReadResult.Failed(StateFailure.Mismatch);
        }

        if (now > issuedAt + lifetime || now < issuedAt - ClockSkew)
        {
            return StateReadResult.Failed(StateFailure.Expired);
        }

        return new StateReadResult(properties, null);
    }
}

/// <summary>Why a stored sign-in state could not be used.</summary>
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

/// <summary>The properties of a pending sign-in, or why they are not available.</summary>
internal readonly record struct StateReadResult(AuthenticationProperties? Properties, StateFailure? Failure)
{
    public static StateReadResult Failed(StateFailure failure) => new(null, failure);
}
