using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using static AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure.TestHostExtensions;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

/// <summary>Garbled callbacks and cookies, and sign-ins that span servers.</summary>
public class HostileInputTests
{
    [Theory]
    [InlineData("error=access_denied&error=server_error")]
    [InlineData("error=%00%01%02&error_description=%0d%0aSet-Cookie:%20x=y")]
    [InlineData("error=")]
    [InlineData("code=a&code=b")]
    [InlineData("code=%F0%9F%92%A5%00")]
    [InlineData("error_uri=javascript:alert(1)&error=x")]
    public async Task Garbled_callback_with_a_valid_state_is_a_clean_remote_failure(string garbage)
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var state = QueryOf(await host.ChallengeAsync())["state"];

        using var callback = await host.Browser.GetAsync($"/signin-ellipsisdrive?state={state}&{garbage}");

        await host.AssertRemoteFailureAsync(callback);
        Assert.Equal(0, host.Emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode));
        host.Browser.AssertNoStateCookie();
    }

    [Fact]
    public async Task Oversized_error_is_capped_in_the_message()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var state = QueryOf(await host.ChallengeAsync())["state"];

        using var callback = await host.Browser.GetAsync($"/signin-ellipsisdrive?state={state}&error={new string('e', 6000)}");

        var failure = await host.AssertRemoteFailureAsync(callback);
        Assert.InRange(failure.Message.Length, 1, 200);
    }

    [Fact]
    public async Task Forged_chunked_state_cookie_is_unreadable_not_an_error()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var state = QueryOf(await host.ChallengeAsync())["state"];
        host.Browser.SetCookie(EllipsisDriveState.GetCookieName(state), "chunks-3", EllipsisDriveDefaults.CallbackPath);

        using var callback = await host.Browser.GetAsync($"/signin-ellipsisdrive?code=abc&state={state}");

        var failure = await host.AssertRemoteFailureAsync(callback);
        Assert.Contains("could not be read", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Large_properties_survive_in_a_chunked_state_cookie()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync(options => options.Events.OnRedirectToAuthorizationEndpoint = context =>
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        });

        var returnUrl = "/me?pad=" + new string('p', 6000);
        var signIn = await host.SignInAsync(returnUrl: returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, signIn.Callback.StatusCode);
        Assert.Equal(returnUrl, signIn.Callback.Headers.Location!.OriginalString);
        host.Browser.AssertNoStateCookie();
    }

    [Fact]
    public async Task Sign_in_started_on_one_server_completes_on_another_sharing_the_keys()
    {
        var keys = new EphemeralDataProtectionProvider();
        await using var serverA = await EllipsisDriveTestHost.StartAsync(configureServices: s => s.AddSingleton<IDataProtectionProvider>(keys));
        await using var serverB = await EllipsisDriveTestHost.StartAsync(configureServices: s => s.AddSingleton<IDataProtectionProvider>(keys), emulator: serverA.Emulator);

        var signIn = await CrossServerSignInAsync(serverA, serverB);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Empty(serverB.Failures);
    }

    [Fact]
    public async Task Sign_in_started_on_a_server_with_other_keys_fails_cleanly()
    {
        await using var serverA = await EllipsisDriveTestHost.StartAsync();
        await using var serverB = await EllipsisDriveTestHost.StartAsync(emulator: serverA.Emulator);

        var callback = await CrossServerSignInAsync(serverA, serverB);

        Assert.Equal(HttpStatusCode.BadRequest, callback.StatusCode);
        Assert.Contains("could not be read", Assert.Single(serverB.Failures).Message, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> CrossServerSignInAsync(EllipsisDriveTestHost first, EllipsisDriveTestHost second)
    {
        var authorizationUrl = await first.ChallengeAsync();
        var callbackUrl = await first.Emulator.ConsentAsync(authorizationUrl, cancellationToken: TestContext.Current.CancellationToken);

        // The load balancer sends the callback to the other server; the browser sends the same cookies.
        using var request = new HttpRequestMessage(HttpMethod.Get, callbackUrl);
        request.Headers.Add("Cookie", first.Browser.Cookies.GetCookieHeader(callbackUrl));
        return await second.Browser.SendAsync(request);
    }
}
