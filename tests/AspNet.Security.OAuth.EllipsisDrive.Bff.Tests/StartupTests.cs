using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Bff.Tests;

/// <summary>Configuration that could only go wrong later fails at start-up, naming the option.</summary>
public sealed class StartupTests
{
    public static TheoryData<string, string> InvalidOptions => new()
    {
        { "csrf-safelisted", "CsrfHeaderName" },
        { "csrf-empty", "CsrfHeaderName" },
        { "paths-empty", "ApiPaths" },
        { "paths-dotdot", "ApiPaths" },
        { "paths-doublestar-middle", "ApiPaths" },
        { "methods-trace", "ApiMethods" },
        { "methods-empty", "ApiMethods" },
        { "retry-negative", "MaxRetryBodySize" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public async Task Invalid_options_fail_at_start_up_naming_the_option(string @case, string option)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddAuthentication().AddCookie().AddEllipsisDrive(o =>
        {
            o.ClientId = "id";
            o.ClientSecret = "secret";
        });
        builder.Services.AddEllipsisDriveBff(options => Break(options, @case));
        await using var app = builder.Build();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("EllipsisDriveBffOptions." + option, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_the_endpoints_without_registering_the_services_fails_saying_what_to_call()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();

        var api = Assert.Throws<InvalidOperationException>(() => app.MapEllipsisDriveApi());
        var bff = Assert.Throws<InvalidOperationException>(() => app.MapEllipsisDriveBff());

        Assert.Contains("AddEllipsisDriveBff()", api.Message, StringComparison.Ordinal);
        Assert.Contains("AddEllipsisDriveBff()", bff.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registering_changes_nothing_in_the_apps_cookies()
    {
        var withBff = CookieOptions(bff: true);
        var without = CookieOptions(bff: false);

        Assert.Equal(without.SameSite, withBff.SameSite);
        Assert.Equal(without.SecurePolicy, withBff.SecurePolicy);
        Assert.Equal(without.HttpOnly, withBff.HttpOnly);
    }

    [Theory]
    [InlineData(Microsoft.AspNetCore.Http.SameSiteMode.None, true)]
    [InlineData(Microsoft.AspNetCore.Http.SameSiteMode.Lax, false)]
    [InlineData(Microsoft.AspNetCore.Http.SameSiteMode.Strict, false)]
    public async Task A_session_cookie_that_is_not_same_site_is_reported_with_a_warning(Microsoft.AspNetCore.Http.SameSiteMode sameSite, bool warned)
    {
        await using var drive = await AspNet.Security.OAuth.EllipsisDrive.Emulator.EllipsisDriveEmulator.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var host = await BffTestHost.StartAsync(drive, new BffTestHost.Options { CookieSameSite = sameSite });

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/user"));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(warned, host.Logs.GetSnapshot().Any(r => r.Id.Id == 1604 && r.Level == Microsoft.Extensions.Logging.LogLevel.Warning));
    }

    private static Microsoft.AspNetCore.Http.CookieBuilder CookieOptions(bool bff)
    {
        var services = new ServiceCollection();
        services.AddAuthentication().AddCookie();
        if (bff)
        {
            services.AddEllipsisDriveBff();
        }

        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme).Cookie;
    }

    private static void Break(EllipsisDriveBffOptions options, string @case)
    {
        switch (@case)
        {
            case "csrf-safelisted": options.CsrfHeaderName = "Content-Type"; break;
            case "csrf-empty": options.CsrfHeaderName = ""; break;
            case "paths-empty": options.ApiPaths.Clear(); break;
            case "paths-dotdot": options.ApiPaths.Add("account/../settings"); break;
            case "paths-doublestar-middle": options.ApiPaths.Add("path/**/x"); break;
            case "methods-trace": options.ApiMethods.Add("TRACE"); break;
            case "methods-empty": options.ApiMethods.Clear(); break;
            case "retry-negative": options.MaxRetryBodySize = -1; break;
            default: throw new ArgumentOutOfRangeException(nameof(@case));
        }
    }
}
