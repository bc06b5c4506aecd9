using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

/// <summary>The compact state and the protected cookie payload that holds the sign-in's properties.</summary>
public class StateStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly EphemeralDataProtectionProvider _keys = new();

    [Fact]
    public void New_state_fits_the_provider_column_and_is_random()
    {
        var states = Enumerable.Range(0, 100).Select(_ => EllipsisDriveStateStore.NewState()).ToList();

        Assert.All(states, s => Assert.InRange(s.Length, 22, EllipsisDriveStateStore.MaxStateLength));
        Assert.All(states, s => Assert.True(EllipsisDriveStateStore.IsWellFormed(s)));
        Assert.Equal(states.Count, states.Distinct(StringComparer.Ordinal).Count());
        Assert.All(states, s => Assert.True(Base64UrlTextEncoder.Decode(s).Length >= 16));
    }

    [Fact]
    public void Round_trip_restores_the_properties()
    {
        var store = new EllipsisDriveStateStore(_keys, "EllipsisDrive");
        var state = EllipsisDriveStateStore.NewState();
        var properties = new AuthenticationProperties { RedirectUri = "/after" };
        properties.Items["custom"] = "value";

        var result = store.Unprotect(store.Protect(state, Now, properties), state, Now.AddMinutes(1), Lifetime);

        Assert.Null(result.Failure);
        Assert.Equal("/after", result.Properties!.RedirectUri);
        Assert.Equal("value", result.Properties.Items["custom"]);
    }

    [Fact]
    public void Payload_is_bound_to_its_state()
    {
        var store = new EllipsisDriveStateStore(_keys, "EllipsisDrive");
        var cookie = store.Protect(EllipsisDriveStateStore.NewState(), Now, new AuthenticationProperties());

        var result = store.Unprotect(cookie, EllipsisDriveStateStore.NewState(), Now, Lifetime);

        Assert.Equal(StateFailure.Mismatch, result.Failure);
    }

    [Theory]
    [InlineData(14, null)]
    [InlineData(16, "Expired")]
    [InlineData(-2, null)]
    [InlineData(-10, "Expired")]
    public void Payload_expires_after_the_lifetime(int minutesAfterIssue, string? expected)
    {
        var store = new EllipsisDriveStateStore(_keys, "EllipsisDrive");
        var state = EllipsisDriveStateStore.NewState();
        var cookie = store.Protect(state, Now, new AuthenticationProperties());

        // Negative: the reading server's clock is behind; a little is skew, ten minutes is not.
        var result = store.Unprotect(cookie, state, Now.AddMinutes(minutesAfterIssue), Lifetime);

        Assert.Equal(expected, result.Failure?.ToString());
    }

    [Fact]
    public void Payload_of_another_scheme_is_unreadable()
    {
        var state = EllipsisDriveStateStore.NewState();
        var cookie = new EllipsisDriveStateStore(_keys, "One").Protect(state, Now, new AuthenticationProperties());

        var result = new EllipsisDriveStateStore(_keys, "Two").Unprotect(cookie, state, Now, Lifetime);

        Assert.Equal(StateFailure.Unreadable, result.Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 !!")]
    [InlineData("AAAA")]
    public void Garbage_is_unreadable(string cookie)
    {
        var store = new EllipsisDriveStateStore(_keys, "EllipsisDrive");

        Assert.Equal(StateFailure.Unreadable, store.Unprotect(cookie, EllipsisDriveStateStore.NewState(), Now, Lifetime).Failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ünïcode")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Malformed_states_are_rejected_before_any_lookup(string? state) =>
        Assert.False(EllipsisDriveStateStore.IsWellFormed(state));

    [Fact]
    public void Cookie_name_does_not_reveal_the_state()
    {
        var state = EllipsisDriveStateStore.NewState();

        var name = EllipsisDriveStateStore.GetCookieName(state);

        Assert.DoesNotContain(state, name, StringComparison.Ordinal);
        Assert.Equal(name, EllipsisDriveStateStore.GetCookieName(state));
        Assert.NotEqual(name, EllipsisDriveStateStore.GetCookieName(EllipsisDriveStateStore.NewState()));
    }

    [Fact]
    public void Sanitize_removes_control_characters_and_caps_length()
    {
        var text = EllipsisDriveText.Sanitize("bad\r\nline\u0000" + new string('x', 500), 20);

        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain('\0', text);
        Assert.Equal(23, text.Length);
        Assert.EndsWith("...", text, StringComparison.Ordinal);
    }
}
