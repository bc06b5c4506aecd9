using System.Security.Claims;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Sessions;

/// <summary>
/// The ticket store decodes a stored entry once and reuses the result while the store returns the same bytes: every
/// read still goes to the cache, callers get copies, and anything that changes or removes the entry is seen at once.
/// </summary>
public sealed class TicketStoreDecodeCacheTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly RecordingDistributedCache _cache = new();
    private readonly CountingDataProtectionProvider _protection = new();
    private readonly EllipsisDriveTicketStore _store;
    private readonly EllipsisDriveTicketStore _otherNode;

    public TicketStoreDecodeCacheTests()
    {
        _store = NewStore();
        _otherNode = NewStore();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unchanged_bytes_are_read_from_the_cache_every_time_and_unprotected_once()
    {
        var key = await _otherNode.StoreAsync(Ticket("token-1"), Ct);
        var readsBefore = _cache.Reads;

        var first = (await _store.RetrieveAsync(key, Ct))!;
        var second = (await _store.RetrieveAsync(key, Ct))!;
        var third = (await _store.RetrieveAsync(key, Ct))!;

        Assert.Equal(3, _cache.Reads - readsBefore);
        Assert.Equal(1, _protection.Unprotects);
        Assert.Equal("token-1", third.Properties.GetTokenValue("access_token"));
        Assert.Equal(key, third.Properties.Items[EllipsisDriveTicketStore.SessionKeyItem]);
        Assert.Equal(first.Properties.Items[EllipsisDriveTicketStore.GenerationItem], second.Properties.Items[EllipsisDriveTicketStore.GenerationItem]);
        Assert.Equal("alice", third.Principal.Identity!.Name);
    }

    [Fact]
    public async Task A_caller_changing_its_ticket_does_not_change_what_the_next_read_returns()
    {
        var key = await _store.StoreAsync(Ticket("token-1"), Ct);
        var first = (await _store.RetrieveAsync(key, Ct))!;

        first.Properties.UpdateTokenValue("access_token", "changed-by-a-caller");
        first.Properties.Items[EllipsisDriveTicketStore.GenerationItem] = "999";
        first.Properties.ExpiresUtc = _time.GetUtcNow().AddYears(1);
        ((ClaimsIdentity)first.Principal.Identity!).AddClaim(new Claim(ClaimTypes.Role, "admin"));

        var second = (await _store.RetrieveAsync(key, Ct))!;
        Assert.NotSame(first, second);
        Assert.Equal("token-1", second.Properties.GetTokenValue("access_token"));
        Assert.Equal("1", second.Properties.Items[EllipsisDriveTicketStore.GenerationItem]);
        Assert.Equal(_time.GetUtcNow().AddDays(14), second.Properties.ExpiresUtc);
        Assert.False(second.Principal.IsInRole("admin"));
    }

    [Fact]
    public async Task An_update_on_another_node_is_seen_on_the_next_read()
    {
        var key = await _store.StoreAsync(Ticket("token-1"), Ct);
        Assert.Equal("token-1", (await _store.RetrieveAsync(key, Ct))!.Properties.GetTokenValue("access_token"));

        await _otherNode.UpdateAsync(key, p => p.UpdateTokenValue("access_token", "token-2"), Ct);

        var read = (await _store.RetrieveAsync(key, Ct))!;
        Assert.Equal("token-2", read.Properties.GetTokenValue("access_token"));
        Assert.Equal("2", read.Properties.Items[EllipsisDriveTicketStore.GenerationItem]);
    }

    [Fact]
    public async Task A_sign_out_on_another_node_is_seen_on_the_next_read()
    {
        var key = await _store.StoreAsync(Ticket("token-1"), Ct);
        Assert.NotNull(await _store.RetrieveAsync(key, Ct));

        await _otherNode.RemoveAsync(key, Ct);

        Assert.Null(await _store.RetrieveAsync(key, Ct));
    }

    [Fact]
    public async Task Removal_evicts_the_decoded_ticket()
    {
        var key = await _store.StoreAsync(Ticket("token-1"), Ct);
        Assert.NotNull(await _store.RetrieveAsync(key, Ct));
        var bytes = (await _cache.GetAsync(TicketStoreTestKit.EntryKey(key), Ct))!;
        var unprotects = _protection.Unprotects;

        await _store.RemoveAsync(key, Ct);
        Assert.Null(await _store.RetrieveAsync(key, Ct));

        // The same bytes written back (a backup restored, say) are decoded afresh: nothing of the removed session was kept.
        await _cache.SetAsync(TicketStoreTestKit.EntryKey(key), bytes, new DistributedCacheEntryOptions(), Ct);
        Assert.NotNull(await _store.RetrieveAsync(key, Ct));
        Assert.Equal(unprotects + 1, _protection.Unprotects);
    }

    [Fact]
    public async Task A_renewal_with_a_copy_read_from_the_decoded_cache_still_keeps_newer_content()
    {
        var key = await _store.StoreAsync(Ticket("token-1"), Ct);
        _ = await _store.RetrieveAsync(key, Ct);
        var readAtRequestStart = (await _store.RetrieveAsync(key, Ct))!; // from the decoded cache
        await _otherNode.UpdateAsync(key, p => p.UpdateTokenValue("access_token", "token-2"), Ct);

        await TicketStoreTestKit.AssertRenewalKeepsNewerContentAsync(_store, key, readAtRequestStart, _time);
    }

    [Fact]
    public async Task An_entry_changed_in_the_cache_is_decoded_again_and_a_bad_one_still_signs_out()
    {
        var key = await _store.StoreAsync(Ticket("token-1"), Ct);
        Assert.NotNull(await _store.RetrieveAsync(key, Ct));

        await _cache.SetAsync(TicketStoreTestKit.EntryKey(key), [1, 2, 3, 4], new DistributedCacheEntryOptions(), Ct);

        Assert.Null(await _store.RetrieveAsync(key, Ct));
        Assert.Null(await _cache.GetAsync(TicketStoreTestKit.EntryKey(key), Ct));
    }

    public void Dispose()
    {
        _store.Dispose();
        _otherNode.Dispose();
    }

    private EllipsisDriveTicketStore NewStore() => TicketStoreTestKit.NewStore(_cache, _protection, _time);

    private AuthenticationTicket Ticket(string accessToken) => TicketStoreTestKit.Ticket(_time, accessToken);
}
