using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

/// <summary>Registration, start-up validation, configuration binding and endpoint derivation.</summary>
public class OptionsTests
{
    [Theory]
    [InlineData(null, "secret", "https://api.ellipsis-drive.com/v3/", null, "ClientId")]
    [InlineData("id", "", "https://api.ellipsis-drive.com/v3/", null, "ClientSecret")]
    [InlineData("id", "secret", "https://api.ellipsis-drive.com/v3/", "oauth/token", "TokenEndpoint")]
    [InlineData("id", "secret", "http://drive.example.com/v3/", null, "BaseAddress")]
    [InlineData("id", "secret", "https://api.ellipsis-drive.com/v3/", "http://drive.example.com/v3/oauth/token", "TokenEndpoint")]
    public async Task Misconfiguration_fails_at_start_up_naming_the_option(string? clientId, string? clientSecret, string baseAddress, string? tokenEndpoint, string option)
    {
        await using var app = BuildApp(options =>
        {
            options.ClientId = clientId!;
            options.ClientSecret = clientSecret!;
            options.BaseAddress = new Uri(baseAddress);
            if (tokenEndpoint is not null)
            {
                options.TokenEndpoint = tokenEndpoint;
            }
        });

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(option, exception.ParamName);
        Assert.Contains($"'{option}'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("response_type")]
    [InlineData("client_id")]
    [InlineData("redirect_uri")]
    [InlineData("scope")]
    [InlineData("state")]
    [InlineData("code_challenge")]
    [InlineData("code_challenge_method")]
    public async Task Additional_authorization_parameter_that_clashes_with_a_protocol_parameter_fails_at_start_up(string name)
    {
        await using var app = BuildApp(options =>
        {
            options.ClientId = "id";
            options.ClientSecret = "secret";
            options.AdditionalAuthorizationParameters[name] = "attacker-chosen";
        });

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal("AdditionalAuthorizationParameters", exception.ParamName);
        Assert.Contains($"'{name}'", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("attacker-chosen", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_configuration_starts()
    {
        await using var app = BuildApp(options =>
        {
            options.ClientId = "id";
            options.ClientSecret = "secret";
        });

        await app.StartAsync(TestContext.Current.CancellationToken);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Options_bind_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EllipsisDrive:ClientId"] = "bound-id",
            ["EllipsisDrive:ClientSecret"] = "bound-secret",
            ["EllipsisDrive:BaseAddress"] = "https://example.api.ellipsis-drive.com/v3",
            ["EllipsisDrive:ClientAuthenticationMethod"] = "BasicAuthentication",
            ["EllipsisDrive:TokenRequestEncoding"] = "FormUrlEncoded",
            ["EllipsisDrive:CallbackPath"] = "/signin-drive",
        }).Build();

        var options = ResolveOptions(options => configuration.GetSection("EllipsisDrive").Bind(options));

        Assert.Equal("bound-id", options.ClientId);
        Assert.Equal("bound-secret", options.ClientSecret);
        Assert.Equal(EllipsisDriveClientAuthenticationMethod.BasicAuthentication, options.ClientAuthenticationMethod);
        Assert.Equal(EllipsisDriveTokenRequestEncoding.FormUrlEncoded, options.TokenRequestEncoding);
        Assert.Equal("/signin-drive", options.CallbackPath.Value);
        Assert.Equal("https://example.api.ellipsis-drive.com/v3/oauth/token", options.TokenEndpoint);
    }

    [Fact]
    public void An_empty_base_address_in_configuration_means_the_public_service()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EllipsisDrive:ClientId"] = "bound-id",
            ["EllipsisDrive:ClientSecret"] = "bound-secret",
            ["EllipsisDrive:BaseAddress"] = "",
        }).Build();

        var options = ResolveOptions(options => configuration.GetSection("EllipsisDrive").Bind(options));

        Assert.Equal(new Uri(EllipsisDriveDefaults.BaseAddress), options.BaseAddress);
        Assert.Equal(EllipsisDriveDefaults.TokenEndpoint, options.TokenEndpoint);
    }

    [Fact]
    public void Private_instance_derives_every_endpoint_from_the_base_address()
    {
        var options = ResolveOptions(options =>
        {
            options.ClientId = "id";
            options.ClientSecret = "secret";
            options.BaseAddress = new Uri("https://acc.api.ellipsis-drive.com/v3/");
        });

        Assert.Equal("https://acc.api.ellipsis-drive.com/v3/oauth/authorize", options.AuthorizationEndpoint);
        Assert.Equal("https://acc.api.ellipsis-drive.com/v3/oauth/token", options.TokenEndpoint);
        Assert.Equal("https://acc.api.ellipsis-drive.com/v3/account", options.UserInformationEndpoint);
    }

    [Fact]
    public void Private_instance_keeps_an_endpoint_set_explicitly()
    {
        var options = ResolveOptions(options =>
        {
            options.ClientId = "id";
            options.ClientSecret = "secret";
            options.BaseAddress = new Uri("https://acc.api.ellipsis-drive.com/v3/");
            options.AuthorizationEndpoint = "https://login.example.com/authorize";
        });

        Assert.Equal("https://login.example.com/authorize", options.AuthorizationEndpoint);
        Assert.Equal("https://acc.api.ellipsis-drive.com/v3/oauth/token", options.TokenEndpoint);
    }

    [Fact]
    public void Defaults_match_the_documented_protocol()
    {
        var options = ResolveOptions(options =>
        {
            options.ClientId = "id";
            options.ClientSecret = "secret";
        });

        Assert.True(options.UsePkce);
        Assert.True(options.SaveTokens);
        Assert.Equal(["projects"], options.Scope);
        Assert.Equal(EllipsisDriveDefaults.CallbackPath, options.CallbackPath.Value);
        Assert.Equal(EllipsisDriveDefaults.AuthorizationEndpoint, options.AuthorizationEndpoint);
        Assert.NotNull(options.Backchannel);
        Assert.NotNull(options.DataProtectionProvider);
    }

    [Fact]
    public async Task Custom_scheme_and_display_name_are_registered()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAuthentication().AddEllipsisDrive("Drive", "My Drive", options =>
        {
            options.ClientId = "id";
            options.ClientSecret = "secret";
        });
        await using var provider = services.BuildServiceProvider();

        var scheme = await provider.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync("Drive");

        Assert.NotNull(scheme);
        Assert.Equal("My Drive", scheme.DisplayName);
        Assert.Equal(typeof(EllipsisDriveHandler), scheme.HandlerType);
        Assert.Equal("id", provider.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>().Get("Drive").ClientId);
    }

    [Fact]
    public async Task Parameterless_registration_takes_options_configured_elsewhere()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAuthentication().AddEllipsisDrive();
        services.Configure<EllipsisDriveOptions>(EllipsisDriveDefaults.AuthenticationScheme, options =>
        {
            options.ClientId = "elsewhere";
            options.ClientSecret = "secret";
        });
        await using var provider = services.BuildServiceProvider();

        var scheme = await provider.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(EllipsisDriveDefaults.AuthenticationScheme);

        Assert.Equal(EllipsisDriveDefaults.DisplayName, scheme!.DisplayName);
        Assert.Equal("elsewhere", provider.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>().Get(EllipsisDriveDefaults.AuthenticationScheme).ClientId);
    }

    [Fact]
    public void Post_configure_is_registered_once_for_several_schemes()
    {
        var services = new ServiceCollection();
        services.AddAuthentication()
            .AddEllipsisDrive("One", options => { })
            .AddEllipsisDrive("Two", options => { });

        Assert.Single(services, d => d.ImplementationType == typeof(EllipsisDrivePostConfigureOptions));
    }

    private static EllipsisDriveOptions ResolveOptions(Action<EllipsisDriveOptions> configure)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAuthentication().AddEllipsisDrive(configure);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>().Get(EllipsisDriveDefaults.AuthenticationScheme);
    }

    private static WebApplication BuildApp(Action<EllipsisDriveOptions> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie().AddEllipsisDrive(configure);
        return builder.Build();
    }
}
