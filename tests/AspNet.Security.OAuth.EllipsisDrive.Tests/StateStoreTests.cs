using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

/// <summary>The compact state: its shape, its lifetime and the name of the cookie that holds the protected properties.</summary>
public class StateStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    [Fact]
    public void New_state_fits_the_provider_column_and_is_random()
    {
        var states = Enumerable.Range(0, 100).Select(_ => EllipsisDriveState.NewState()).ToList();

        Assert.All(states, s => Assert.InRange(s.Length, 22, EllipsisDriveState.MaxStateLength));
        Assert.All(states, s => Assert.True(EllipsisDriveState.IsWellFormed(s)));
        Assert.Equal(states.Count, states.Distinct(StringComparer.Ordinal).Count());
        Assert.All(states, s => Assert.True(Base64UrlTextEncoder.Decode(s).Length >= 16));
    }

    [Theory]
    [InlineData(14, true)]
    [InlineData(16, false)]
    [InlineData(-2, true)]
    [InlineData(-10, false)]
    public void State_expires_after_the_lifetime(int minutesAfterIssue, bool fresh) =>
        // Negative: the reading server's clock is behind; a little is skew, ten minutes is not.
        Assert.Equal(fresh, EllipsisDriveState.IsFresh(Now, Now.AddMinutes(minutesAfterIssue), Lifetime));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ünïcode")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Malformed_states_are_rejected_before_any_lookup(string? state) =>
        Assert.False(EllipsisDriveState.IsWellFormed(state));

    [Fact]
    public void Cookie_name_does_not_reveal_the_state()
    {
        var state = EllipsisDriveState.NewState();

        var name = EllipsisDriveState.GetCookieName(state);

        Assert.DoesNotContain(state, name, StringComparison.Ordinal);
        Assert.Equal(name, EllipsisDriveState.GetCookieName(state));
        Assert.NotEqual(name, EllipsisDriveState.GetCookieName(EllipsisDriveState.NewState()));
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
