using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;

namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

/// <summary>
/// The peer: the hand-written <see cref="ITicketStore"/> over <see cref="IDistributedCache"/> that documentation samples
/// and blog posts show, as a farm user would write it instead of using <c>AddEllipsisDriveSessions</c>. A random key in
/// the cookie; the ticket serialized with <see cref="TicketSerializer"/>, optionally protected with Data Protection,
/// stored until the ticket expires.
/// </summary>
internal sealed class DistributedCacheTicketStore(IDistributedCache cache, IDataProtector? protector) : ITicketStore
{
    private const string KeyPrefix = "AuthSessionStore-";

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = KeyPrefix + Guid.NewGuid().ToString("N");
        await RenewAsync(key, ticket);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        var options = new DistributedCacheEntryOptions();
        if (ticket.Properties.ExpiresUtc is { } expiresUtc)
        {
            options.SetAbsoluteExpiration(expiresUtc);
        }

        var bytes = TicketSerializer.Default.Serialize(ticket);
        return cache.SetAsync(key, protector is null ? bytes : protector.Protect(bytes), options);
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        var bytes = await cache.GetAsync(key);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return TicketSerializer.Default.Deserialize(protector is null ? bytes : protector.Unprotect(bytes));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    public Task RemoveAsync(string key) => cache.RemoveAsync(key);
}
