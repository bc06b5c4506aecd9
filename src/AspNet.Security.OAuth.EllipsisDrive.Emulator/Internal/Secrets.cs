using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

internal static class Secrets
{
    /// <summary>A random value of 32 bytes, base64url without padding (43 characters).</summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static bool FixedTimeEquals(string left, string right) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(left), Encoding.UTF8.GetBytes(right));

    /// <summary>The RFC 7636 S256 transformation: base64url (no padding) of the SHA-256 of the ASCII verifier.</summary>
    public static string S256(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>RFC 7636 section 4.1: 43 to 128 unreserved characters.</summary>
    public static bool IsValidPkceValue(string value)
    {
        if (value.Length is < 43 or > 128)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
            {
                return false;
            }
        }

        return true;
    }
}
