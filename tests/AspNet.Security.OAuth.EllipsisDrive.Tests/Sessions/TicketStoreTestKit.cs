using System.Diagnostics.Metrics;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Sessions;

/// <summary>What the ticket store tests build the same way: the store, a ticket, and the renewal that must keep newer content.</summary>
internal static class TicketStoreTestKit
{
    public static EllipsisDriveTicketStore NewStore(IDistributedCache cache, IDataProtectionProvider protection, TimeProvider time) => new(
        cache,
        protection,
        time,
        Options.Create(new EllipsisDriveSessionOptions()),
        new EllipsisDriveMetrics(new TestMeterFactory()),
        NullLogger<EllipsisDriveTicketStore>.Instance);

    /// <summary>The cache key of session <paramref name="key"/> under the default <see cref="EllipsisDriveSessionOptions.KeyPrefix"/>.</summary>
    public static string EntryKey(string key) => new EllipsisDriveSessionOptions().KeyPrefix + key;

    /// <summary>A ticket for "alice" issued now, expiring in 14 days, carrying <paramref name="accessToken"/>.</summary>
    public static AuthenticationTicket Ticket(TimeProvider time, string accessToken)
    {
        var properties = new AuthenticationProperties { IssuedUtc = time.GetUtcNow(), ExpiresUtc = time.GetUtcNow().AddDays(14) };
        properties.StoreTokens([new AuthenticationToken { Name = "access_token", Value = accessToken }]);
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], "test")), properties, "Cookies");
    }

    /// <summary>
    /// Renews <paramref name="key"/> with <paramref name="staleCopy"/> (a copy read before the entry was updated to
    /// "token-2") for 20 days from now, then checks the entry kept "token-2" and took the new lifetime.
    /// </summary>
    public static async Task AssertRenewalKeepsNewerContentAsync(EllipsisDriveTicketStore store, string key, AuthenticationTicket staleCopy, TimeProvider time)
    {
        var ct = TestContext.Current.CancellationToken;
        staleCopy.Properties.ExpiresUtc = time.GetUtcNow().AddDays(20);
        await store.RenewAsync(key, staleCopy, ct);

        var stored = (await store.RetrieveAsync(key, ct))!;
        Assert.Equal("token-2", stored.Properties.GetTokenValue("access_token"));
        Assert.Equal(time.GetUtcNow().AddDays(20), stored.Properties.ExpiresUtc);
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
