using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;

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
    // At most this many characters of cookie values (the decoded tickets take a few times as much again): about 6,000
    // cookie-mode cookies of 1.3 KB, or far more server-mode session cookies; an entry over the limit is just not kept.
    private const long SizeLimit = 8 * 1024 * 1024;

    // A value longer than this (a cookie chunked into several) is not worth holding.
    private const int MaxCachedLength = 16 * 1024;

    // Sliding: an active user keeps the entry; absolute: a revoked Data Protection key is checked again soon.
    private static readonly TimeSpan SlidingExpiration = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan AbsoluteExpiration = TimeSpan.FromMinutes(5);

    private readonly MemoryCache _decoded = new(new MemoryCacheOptions { SizeLimit = SizeLimit });

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

        if (_decoded.TryGetValue(protectedText, out AuthenticationTicket? cached))
        {
            return cached!.Clone();
        }

        var ticket = Inner.Unprotect(protectedText);
        if (ticket is not null)
        {
            _decoded.Set(protectedText, ticket.Clone(), new MemoryCacheEntryOptions
            {
                Size = protectedText.Length,
                SlidingExpiration = SlidingExpiration,
                AbsoluteExpirationRelativeToNow = AbsoluteExpiration,
            });
        }

        return ticket;
    }

    public void Dispose() => _decoded.Dispose();
}
