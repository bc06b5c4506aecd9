using System.Net;
using System.Security.Cryptography;
using System.Text;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using static AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure.TestHostExtensions;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

/// <summary>The redirect to Ellipsis Drive: parameters, compact state, PKCE, the state cookie.</summary>
public class ChallengeTests
{
    [Fact]
    public async Task Challenge_redirects_to_the_authorization_endpoint_with_exactly_the_documented_parameters()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        var location = await host.ChallengeAsync();

        Assert.Equal(new Uri(host.Emulator.BaseAddress, "oauth/authorize").AbsoluteUri, location.GetLeftPart(UriPartial.Path));
        var query = QueryOf(location);
        Assert.Equal(
            ["client_id", "code_challenge", "code_challenge_method", "redirect_uri", "response_type", "scope", "state"],
            query.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(EllipsisDriveTestHost.ClientId, query["client_id"]);
        Assert.Equal(EllipsisDriveTestHost.RedirectUri, query["redirect_uri"]);
        Assert.Equal("projects", query["scope"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].Length);
    }

    [Fact]
    public async Task State_fits_fifty_characters_and_carries_at_least_128_random_bits()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        var states = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            states.Add(QueryOf(await host.ChallengeAsync(host.NewBrowser()))["state"]);
        }

        Assert.All(states, s => Assert.InRange(s.Length, 1, 50));
        Assert.All(states, s => Assert.True(WebEncoders.Base64UrlDecode(s).Length >= 16));
        Assert.Equal(states.Count, states.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task The_emulator_accepts_the_state_it_would_store_in_varchar_50()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        var signIn = await host.SignInAsync();

        Assert.Equal(QueryOf(signIn.AuthorizationUrl)["state"], QueryOf(signIn.CallbackUrl)["state"]);
        Assert.Equal(HttpStatusCode.Redirect, signIn.Callback.StatusCode);
    }

    [Fact]
    public async Task State_cookie_is_HttpOnly_Secure_Lax_and_scoped_to_the_callback_path()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        using var response = await host.Browser.GetAsync("/challenge");

        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(EllipsisDriveState.CookiePrefix, StringComparison.Ordinal));
        Assert.Contains("path=/signin-ellipsisdrive", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("expires=", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(QueryOf(response.Headers.Location!)["state"], setCookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_sign_ins_in_one_browser_do_not_clobber_each_other()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        var first = await host.ChallengeAsync(returnUrl: "/me?tab=1");
        var second = await host.ChallengeAsync(returnUrl: "/me?tab=2");
        var firstCallback = await host.Emulator.ConsentAsync(first, "alice", cancellationToken: TestContext.Current.CancellationToken);
        var secondCallback = await host.Emulator.ConsentAsync(second, "bob", cancellationToken: TestContext.Current.CancellationToken);

        using var secondResponse = await host.Browser.GetAsync(secondCallback);
        using var firstResponse = await host.Browser.GetAsync(firstCallback);

        Assert.Equal("/me?tab=2", secondResponse.Headers.Location!.OriginalString);
        Assert.Equal("/me?tab=1", firstResponse.Headers.Location!.OriginalString);
        Assert.Empty(host.Failures);
        host.Browser.AssertNoStateCookie();
    }

    [Fact]
    public async Task Per_challenge_scope_replaces_the_default()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        using var response = await host.Browser.GetAsync("/challenge?scope=projects%20extra");

        Assert.Equal("projects extra", QueryOf(response.Headers.Location!)["scope"]);
    }

    [Fact]
    public async Task Additional_authorization_parameters_are_sent_beside_the_protocol_parameters()
    {
        // One that would replace a protocol parameter fails at start-up (OptionsTests).
        await using var host = await EllipsisDriveTestHost.StartAsync(options => options.AdditionalAuthorizationParameters["prompt"] = "consent");

        var query = QueryOf(await host.ChallengeAsync());

        Assert.Equal("consent", query["prompt"]);
        Assert.InRange(query["state"].Length, 1, 50);
    }

    [Fact]
    public async Task Pkce_challenge_is_the_S256_of_the_verifier_sent_to_the_token_endpoint()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        var signIn = await host.SignInAsync();

        var verifier = host.Emulator.TokenRequest().Parameters["code_verifier"];
        var expected = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        Assert.Equal(expected, QueryOf(signIn.AuthorizationUrl)["code_challenge"]);
        Assert.InRange(verifier.Length, 43, 128);
    }

    [Fact]
    public async Task Without_pkce_no_challenge_and_no_verifier_are_sent()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync(options => options.UsePkce = false);

        var signIn = await host.SignInAsync();

        Assert.DoesNotContain("code_challenge", QueryOf(signIn.AuthorizationUrl).Keys);
        Assert.DoesNotContain("code_verifier", host.Emulator.TokenRequest().Parameters.Keys);
        Assert.Equal(HttpStatusCode.Redirect, signIn.Callback.StatusCode);
    }

    [Fact]
    public async Task Explicit_authorization_endpoint_is_kept_while_the_others_derive_from_the_base_address()
    {
        var explicitEndpoint = string.Empty;
        await using var host = await EllipsisDriveTestHost.StartAsync(options =>
        {
            explicitEndpoint = new Uri(options.BaseAddress, "oauth/authorize?tenant=acc").AbsoluteUri;
            options.AuthorizationEndpoint = explicitEndpoint;
        });

        var signIn = await host.SignInAsync();

        Assert.StartsWith(explicitEndpoint + "&", signIn.AuthorizationUrl.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("/v3/oauth/token", host.Emulator.TokenRequest().Path);
        Assert.Equal(HttpStatusCode.Redirect, signIn.Callback.StatusCode);
    }
}
