using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Wraps the auth cookie's <see cref="TicketDataFormat"/> so that a cookie value decoded once is not decrypted and
/// deserialized again on every request: the same protected text (authenticated by Data Protection, so it stands for
/// exactly one ticket) gives a copy of the ticket decoded the first time.
/// </summary>
/// <remarks>
/// Callers always get their own copy (the cookie handler and the token service change the ticket they read); the cached
/// ticket is never handed out. Only what decoded is cached, so a forged or tampered value costs what it always did.
/// The cookie handler checks the ticket's expiry on every request as before. An entry lives at most 5 minutes, so a
/// Data Protection key revoked meanwhile is checked again within that time.
/// </remarks>
internal sealed class EllipsisDriveDecodedCookieCache : ISecureDataFormat<AuthenticationTicket>, IDisposable
{
    // A value longer than this (a cookie chunked into several) is not worth holding.
    private const int MaxCachedLength = 16 * 1024;

    // Keyed by the cookie value, sized by its length in characters.
    private readonly DecodedTicketCache<AuthenticationTicket> _decoded = new();

    public EllipsisDriveDecodedCookieCache(ISecureDataFormat<AuthenticationTicket> inner)
    {
        Inner = inner;
    }

    /// <summary>Gets the format that does the work.</summary>
    public ISecureDataFormat<AuthenticationTicket> Inner { get; }

    public string Protect(AuthenticationTicket data) => Inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => Inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        // A purpose (TLS token binding) is part of what was protected: such values are not cached.
        if (purpose is not null || string.IsNullOrEmpty(protectedText) || protectedText.Length > MaxCachedLength)
        {
            return Inner.Unprotect(protectedText, purpose);
        }

        if (_decoded.TryGet(protectedText, out var cached))
        {
            return cached!.Clone();
        }

        var ticket = Inner.Unprotect(protectedText);
        if (ticket is not null)
        {
            _decoded.Set(protectedText, ticket.Clone(), protectedText.Length);
        }

        return ticket;
    }

    public void Dispose() => _decoded.Dispose();
}
