using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure.TestHostExtensions;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

/// <summary>The happy path: code exchange in every encoding and client authentication, tokens, claims.</summary>
public class SignInTests
{
    private const string AliceId = "5d1e6a0e-7c35-4a51-9d2b-3f3a1c6a0001";

    [Fact]
    public async Task Sign_in_returns_to_the_return_url_signed_in_as_the_user_who_consented()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        var signIn = await host.SignInAsync("alice", returnUrl: "/me?after=signin");

        Assert.Equal(HttpStatusCode.Redirect, signIn.Callback.StatusCode);
        Assert.Equal("/me?after=signin", signIn.Callback.Headers.Location!.OriginalString);
        Assert.Contains((ClaimTypes.NameIdentifier, AliceId), await host.Browser.GetClaimsAsync());
        host.Browser.AssertNoStateCookie();
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task Token_request_carries_the_code_under_both_names_the_redirect_uri_and_the_verifier()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        var signIn = await host.SignInAsync();

        var parameters = host.Emulator.TokenRequest().Parameters;
        var code = QueryOf(signIn.CallbackUrl)["code"];
        Assert.Equal("authorization_code", parameters["grant_type"]);
        Assert.Equal(code, parameters["authorization_code"]);
        Assert.Equal(code, parameters["code"]);
        Assert.Equal(EllipsisDriveTestHost.RedirectUri, parameters["redirect_uri"]);
        Assert.False(string.IsNullOrEmpty(parameters["code_verifier"]));
    }

    [Theory]
    [InlineData(EllipsisDriveTokenRequestEncoding.Json, "application/json")]
    [InlineData(EllipsisDriveTokenRequestEncoding.FormUrlEncoded, "application/x-www-form-urlencoded")]
    public async Task Token_request_is_encoded_as_configured(EllipsisDriveTokenRequestEncoding encoding, string mediaType)
    {
        await using var host = await EllipsisDriveTestHost.StartAsync(
            options => options.TokenRequestEncoding = encoding,
            emulator =>
            {
                // The emulator refuses the other encoding, so only the configured one can sign in.
                emulator.AcceptJsonTokenRequests = encoding == EllipsisDriveTokenRequestEncoding.Json;
                emulator.AcceptFormTokenRequests = encoding == EllipsisDriveTokenRequestEncoding.FormUrlEncoded;
            });

        var signIn = await host.SignInAsync();

        Assert.Equal(HttpStatusCode.Redirect, signIn.Callback.StatusCode);
        Assert.StartsWith(mediaType, host.Emulator.TokenRequest().ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_authenticates_in_the_body_by_default()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        await host.SignInAsync();

        var request = host.Emulator.TokenRequest();
        Assert.Equal(EllipsisDriveTestHost.ClientId, request.Parameters["client_id"]);
        Assert.Equal(EllipsisDriveTestHost.ClientSecret, request.Parameters["client_secret"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task Client_authenticates_with_http_basic_when_configured()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync(
            options => options.ClientAuthenticationMethod = EllipsisDriveClientAuthenticationMethod.BasicAuthentication);

        var signIn = await host.SignInAsync();

        var request = host.Emulator.TokenRequest();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{EllipsisDriveTestHost.ClientId}:{EllipsisDriveTestHost.ClientSecret}"));
        Assert.Equal(expected, request.Headers["Authorization"]);
        Assert.DoesNotContain("client_secret", request.Parameters.Keys);
        Assert.Equal(HttpStatusCode.Redirect, signIn.Callback.StatusCode);
    }

    [Fact]
    public async Task Account_is_requested_with_the_bearer_token_and_accepts_json()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        await host.SignInAsync();

        var account = Assert.Single(host.Emulator.Requests, r => r.Endpoint == EmulatorEndpoint.Account);
        Assert.Equal("GET", account.Method);
        Assert.StartsWith("Bearer ", account.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains(account.Headers["Authorization"]["Bearer ".Length..], host.Emulator.IssuedSecrets);
        Assert.Contains("application/json", account.Headers["Accept"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ClaimTypes.NameIdentifier, AliceId)]
    [InlineData(ClaimTypes.Name, "alice")]
    [InlineData(ClaimTypes.Email, "alice@example.com")]
    [InlineData(EllipsisDriveClaimTypes.Username, "alice")]
    [InlineData(EllipsisDriveClaimTypes.DisplayName, "Alice Example")]
    [InlineData(EllipsisDriveClaimTypes.Plan, "pro")]
    [InlineData(EllipsisDriveClaimTypes.Disabled, "false")]
    public async Task Claims_map_from_the_account(string claimType, string expected)
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        await host.SignInAsync("alice");

        var claim = Assert.Single(await host.Browser.GetClaimsAsync(), c => c.Type == claimType);
        Assert.Equal(expected, claim.Value);
    }

    [Theory]
    [InlineData("""{"id":"u-1","username":"carol","companyName":"Acme"}""", EllipsisDriveClaimTypes.Company, "Acme")]
    [InlineData("""{"id":"u-1","username":"carol","company_name":"Acme Ltd"}""", EllipsisDriveClaimTypes.Company, "Acme Ltd")]
    [InlineData("""{"id":12345,"username":"carol"}""", ClaimTypes.NameIdentifier, "12345")]
    [InlineData("""{"id":"u-1","username":"carol","disabled":true}""", EllipsisDriveClaimTypes.Disabled, "true")]
    [InlineData("""{"id":"u-1","username":"carol","plan":{"type":"enterprise"}}""", EllipsisDriveClaimTypes.Plan, "enterprise")]
    public async Task Claims_map_from_the_shapes_the_account_may_take(string account, string claimType, string expected)
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        host.Emulator.AnswerAccount(account);

        await host.SignInAsync();

        Assert.Contains((claimType, expected), await host.Browser.GetClaimsAsync());
    }

    [Fact]
    public async Task Bob_without_email_gets_no_email_claim()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        await host.SignInAsync("bob");

        var claims = await host.Browser.GetClaimsAsync();
        Assert.Contains((ClaimTypes.Name, "bob"), claims);
        Assert.DoesNotContain(claims, c => c.Type == ClaimTypes.Email);
    }

    [Fact]
    public async Task Account_without_id_falls_back_to_the_username_with_a_warning()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        host.Emulator.AnswerAccount("""{"username":"carol"}""");

        await host.SignInAsync();

        Assert.Contains((ClaimTypes.NameIdentifier, "carol"), await host.Browser.GetClaimsAsync());
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "NameIdentifierFromUsername" && r.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task OnCreatingTicket_sees_the_account_json_and_its_claims_are_kept()
    {
        string? seenUsername = null;
        await using var host = await EllipsisDriveTestHost.StartAsync(options => options.Events.OnCreatingTicket = context =>
        {
            seenUsername = context.User.GetProperty("username").GetString();
            context.Identity!.AddClaim(new Claim("urn:test:seen", context.User.GetProperty("plan").GetProperty("type").GetString()!));
            return Task.CompletedTask;
        });

        await host.SignInAsync("alice");

        Assert.Equal("alice", seenUsername);
        Assert.Contains(("urn:test:seen", "pro"), await host.Browser.GetClaimsAsync());
    }

    [Theory]
    [InlineData(EmulatorTokenResponseNaming.SnakeCase)]
    [InlineData(EmulatorTokenResponseNaming.CamelCase)]
    public async Task Token_response_is_read_in_snake_case_and_camel_case(EmulatorTokenResponseNaming naming)
    {
        await using var host = await EllipsisDriveTestHost.StartAsync(configureEmulator: emulator => emulator.TokenResponseNaming = naming);

        await host.SignInAsync();

        var tokens = await host.Browser.GetTokenNamesAsync();
        Assert.NotNull(tokens);
        Assert.Equal(["access_token", "expires_at", "refresh_token", "token_type"], tokens.Value.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Expires_at_is_computed_from_the_handler_clock()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync(configureEmulator: emulator => emulator.AccessTokenLifetime = TimeSpan.FromMinutes(30));

        await host.SignInAsync();

        var tokens = await host.Browser.GetTokenNamesAsync();
        var expiresAt = DateTimeOffset.Parse(tokens!.Value.ExpiresAt!, CultureInfo.InvariantCulture);
        Assert.Equal(host.Time.GetUtcNow().AddMinutes(30), expiresAt);
    }

    [Fact]
    public async Task Missing_expires_in_saves_no_expires_at()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync(configureEmulator: emulator => emulator.AccessTokenLifetime = null);

        await host.SignInAsync();

        var tokens = await host.Browser.GetTokenNamesAsync();
        Assert.NotNull(tokens);
        Assert.Contains("access_token", tokens.Value.Names);
        Assert.DoesNotContain("expires_at", tokens.Value.Names);
    }

    [Fact]
    public async Task SaveTokens_false_saves_no_tokens()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync(options => options.SaveTokens = false);

        await host.SignInAsync();

        var tokens = await host.Browser.GetTokenNamesAsync();
        Assert.NotNull(tokens);
        Assert.Empty(tokens.Value.Names);
    }

    [Fact]
    public async Task Verifier_and_correlation_do_not_travel_into_the_authentication_ticket()
    {
        IDictionary<string, string?>? items = null;
        await using var host = await EllipsisDriveTestHost.StartAsync(options => options.Events.OnTicketReceived = context =>
        {
            items = context.Properties!.Items;
            return Task.CompletedTask;
        });

        await host.SignInAsync();

        Assert.NotNull(items);
        Assert.DoesNotContain("code_verifier", items.Keys);
        Assert.DoesNotContain(".xsrf", items.Keys);
    }

    [Fact]
    public async Task A_sign_in_leaks_no_secret_to_logs_headers_or_bodies()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        await host.SignInAsync();
        await host.Browser.GetClaimsAsync();
        await host.Browser.GetTokenNamesAsync();

        var scanner = host.LeakScanner();
        Assert.Contains(scanner.Secrets(), s => s.Kind == "code_verifier");
        Assert.Contains(scanner.Secrets(), s => s.Kind == "state");
        scanner.AssertNoLeaks();
    }

    [Fact]
    public async Task Each_sign_in_is_counted_by_scheme_and_failures_are_not()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        using var signIns = new MetricCollector<long>(
            host.Services.GetRequiredService<IMeterFactory>(), EllipsisDriveTelemetry.MeterName, EllipsisDriveMetrics.SignInsName);

        await host.SignInAsync("alice");
        host.Emulator.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { StatusCode = 500 });
        await host.SignInAsync("bob", host.NewBrowser());

        var measurement = Assert.Single(signIns.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal(EllipsisDriveDefaults.AuthenticationScheme, measurement.Tags["auth.scheme"]);
    }
}
