namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>Start-up tells a person the one URL to open: the app's, not the in-process emulator's. No browser needed.</summary>
public sealed class StartupOutputTests
{
    [Fact]
    public async Task Start_up_prints_the_apps_url_to_open_and_never_the_emulators()
    {
        await using var app = new SampleApp().Start();

        var printed = app.Logs.Lines.Where(line => !line.StartsWith("Debug", StringComparison.Ordinal) && !line.StartsWith("Trace", StringComparison.Ordinal)).ToList();

        var open = Assert.Single(printed, line => line.Contains("Open http", StringComparison.Ordinal));
        Assert.Contains("Open " + app.BaseAddress.AbsoluteUri + " in your browser", open, StringComparison.Ordinal);
        Assert.DoesNotContain(printed, line => line.Contains(app.Drive.BaseAddress.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://localhost:5080", "http://localhost:5080/")]
    [InlineData("http://[::]:8080", "http://localhost:8080/")]
    [InlineData("http://+:8080", "http://localhost:8080/")]
    [InlineData("http://0.0.0.0:8080", "http://localhost:8080/")]
    public void A_wildcard_binding_is_printed_as_localhost(string address, string expected) =>
        Assert.Equal(expected, WebApp.StartupMessage.PreferredUrl([address]));

    [Fact]
    public void Https_is_preferred_over_http() =>
        Assert.Equal("https://localhost:5001/", WebApp.StartupMessage.PreferredUrl(["http://localhost:5000", "https://localhost:5001"]));
}
