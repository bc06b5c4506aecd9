using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Extensions.DependencyInjection;
using WebApp;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>The sample refuses to start on half-set configuration, naming what is missing. No browser needed.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("EllipsisDrive:ClientId", "EllipsisDrive:ClientSecret")]
    [InlineData("EllipsisDrive:ClientSecret", "EllipsisDrive:ClientId")]
    public async Task Only_one_of_client_id_and_secret_fails_at_start_naming_the_other(string setting, string missing)
    {
        await using var app = new SampleApp(new Dictionary<string, string?> { [setting] = "configured" });

        var exception = Assert.Throws<InvalidOperationException>(() => app.Start());

        Assert.Contains(missing + " is missing", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("configured", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base_address_without_a_client_fails_at_start()
    {
        await using var app = new SampleApp(new Dictionary<string, string?> { ["EllipsisDrive:BaseAddress"] = "https://example.api.ellipsis-drive.com/v3/" });

        var exception = Assert.Throws<InvalidOperationException>(() => app.Start());

        Assert.Contains("EllipsisDrive:ClientId", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_client_the_app_runs_on_the_emulator_says_so_and_registers_its_callback_there()
    {
        await using var app = new SampleApp().Start();
        using var client = new HttpClient { BaseAddress = app.BaseAddress };

        var home = await client.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("Emulator mode: no real Ellipsis Drive account is used", home, StringComparison.Ordinal);
        Assert.Contains(app.Url("/signin-ellipsisdrive"), app.Services.GetRequiredService<EmulatorClient>().RedirectUris);
    }

    [Fact]
    public async Task With_a_client_the_app_runs_against_ellipsis_drive_without_the_banner()
    {
        await using var app = new SampleApp(new Dictionary<string, string?>
        {
            ["EllipsisDrive:ClientId"] = "my-client",
            ["EllipsisDrive:ClientSecret"] = "my-secret",
        }).Start();
        using var client = new HttpClient { BaseAddress = app.BaseAddress };

        var home = await client.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.DoesNotContain("Emulator mode", home, StringComparison.Ordinal);
        Assert.Contains("Sign in with Ellipsis Drive", home, StringComparison.Ordinal);
        Assert.Null(app.Services.GetService<EllipsisDriveEmulator>());
    }
}
