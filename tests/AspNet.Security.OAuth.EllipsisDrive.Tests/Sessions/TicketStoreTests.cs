using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Sessions;

public sealed class TicketStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly MemoryDistributedCache _cache = new(Options.Create(new MemoryDistributedCacheOptions()));
    private readonly EllipsisDriveTicketStore _store;

    public TicketStoreTests()
    {
        _store = TicketStoreTestKit.NewStore(_cache, new EphemeralDataProtectionProvider(), _time);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_session_key_is_random_and_at_least_256_bits()
    {
        var first = await _store.StoreAsync(Ticket("a"), Ct);
        var second = await _store.StoreAsync(Ticket("a"), Ct);

        Assert.NotEqual(first, second);
        Assert.True(Convert.FromBase64String(Pad(first.Replace('-', '+').Replace('_', '/'))).Length >= 32);
    }

    [Fact]
    public async Task The_entry_is_stored_under_a_key_no_longer_than_the_hand_written_stores()
    {
        var key = await _store.StoreAsync(Ticket("a"), Ct);

        // One entry per signed-in user: its key name is Redis memory on each. The hand-written ITicketStore that docs
        // and blog posts show uses "AuthSessionStore-" + a GUID ("N", 32 characters): 49 characters.
        Assert.NotNull(await _cache.GetAsync("eds:" + key, Ct));
        Assert.True(TicketStoreTestKit.EntryKey(key).Length <= "AuthSessionStore-".Length + 32);
    }

    [Fact]
    public async Task A_renewal_with_an_older_copy_keeps_the_newer_content_and_takes_the_new_lifetime()
    {
        var key = await _store.StoreAsync(Ticket("token-1"), Ct);
        var readAtRequestStart = (await _store.RetrieveAsync(key, Ct))!;
        await _store.UpdateAsync(key, p => p.UpdateTokenValue("access_token", "token-2"), Ct);

        var renewed = new AuthenticationTicket(readAtRequestStart.Principal, readAtRequestStart.Properties.Clone(), readAtRequestStart.AuthenticationScheme);
        await TicketStoreTestKit.AssertRenewalKeepsNewerContentAsync(_store, key, renewed, _time);
    }

    [Fact]
    public async Task A_renewal_with_the_current_copy_writes_its_content()
    {
        var key = await _store.StoreAsync(Ticket("token-1"), Ct);
        var current = (await _store.RetrieveAsync(key, Ct))!;
        current.Properties.UpdateTokenValue("access_token", "token-3");

        await _store.RenewAsync(key, current, Ct);

        Assert.Equal("token-3", (await _store.RetrieveAsync(key, Ct))!.Properties.GetTokenValue("access_token"));
    }

    [Fact]
    public async Task RenewAsync_inserts_a_missing_entry()
    {
        await _store.RenewAsync("evicted-session-key", Ticket("token-1"), Ct);

        var stored = await _store.RetrieveAsync("evicted-session-key", Ct);

        Assert.Equal("token-1", stored!.Properties.GetTokenValue("access_token"));
    }

    [Fact]
    public async Task An_unreadable_entry_is_removed_and_means_signed_out()
    {
        var key = await _store.StoreAsync(Ticket("token-1"), Ct);
        await _cache.SetAsync(TicketStoreTestKit.EntryKey(key), [1, 2, 3, 4, 5], Ct);

        var stored = await _store.RetrieveAsync(key, Ct);

        Assert.Null(stored);
        Assert.Null(await _cache.GetAsync(TicketStoreTestKit.EntryKey(key), Ct));
    }

    [Fact]
    public async Task An_entry_moved_to_another_key_is_unreadable()
    {
        var key = await _store.StoreAsync(Ticket("token-1"), Ct);
        await _cache.SetAsync(TicketStoreTestKit.EntryKey("other"), (await _cache.GetAsync(TicketStoreTestKit.EntryKey(key), Ct))!, Ct);

        Assert.Null(await _store.RetrieveAsync("other", Ct));
    }

    [Fact]
    public async Task The_entry_lives_as_long_as_the_ticket()
    {
        var ticket = Ticket("token-1");
        ticket.Properties.ExpiresUtc = _time.GetUtcNow().AddSeconds(-1);

        var key = await _store.StoreAsync(ticket, Ct);

        Assert.Null(await _cache.GetAsync(TicketStoreTestKit.EntryKey(key), Ct));
    }

    [Fact]
    public async Task The_stored_value_is_protected()
    {
        var key = await _store.StoreAsync(Ticket("very-recognisable-token-value"), Ct);

        var raw = (await _cache.GetAsync(TicketStoreTestKit.EntryKey(key), Ct))!;

        Assert.DoesNotContain("very-recognisable-token-value", System.Text.Encoding.UTF8.GetString(raw), StringComparison.Ordinal);
        Assert.DoesNotContain("alice", System.Text.Encoding.UTF8.GetString(raw), StringComparison.Ordinal);
    }

    private AuthenticationTicket Ticket(string accessToken) => TicketStoreTestKit.Ticket(_time, accessToken);

    private static string Pad(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
}
