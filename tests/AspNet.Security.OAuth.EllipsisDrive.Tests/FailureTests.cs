using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using static AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure.TestHostExtensions;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

/// <summary>Everything that can go wrong after the redirect: provider errors, token-endpoint and account faults.</summary>
public class FailureTests
{
    [Fact]
    public async Task Access_denied_goes_to_the_access_denied_path_with_the_return_url()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        var signIn = await host.SignInAsync(allow: false, returnUrl: "/me");

        Assert.Equal("access_denied", QueryOf(signIn.CallbackUrl)["error"]);
        Assert.Equal(HttpStatusCode.Redirect, signIn.Callback.StatusCode);
        Assert.StartsWith("https://localhost/denied?ReturnUrl=%2Fme", signIn.Callback.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Empty(host.Failures);
        Assert.Equal(0, host.Emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode));
        host.Browser.AssertNoStateCookie();
    }

    [Fact]
    public async Task Access_denied_raises_OnAccessDenied()
    {
        var raised = false;
        await using var host = await EllipsisDriveTestHost.StartAsync(options => options.Events.OnAccessDenied = context =>
        {
            raised = true;
            context.Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status403Forbidden;
            context.HandleResponse();
            return Task.CompletedTask;
        });

        var signIn = await host.SignInAsync(allow: false);

        Assert.True(raised);
        Assert.Equal(HttpStatusCode.Forbidden, signIn.Callback.StatusCode);
    }

    [Fact]
    public async Task Other_provider_error_is_a_remote_failure_carrying_error_and_description()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();

        // Scope other than "projects": the emulator redirects back with invalid_request.
        using var challenge = await host.Browser.GetAsync("/challenge?scope=admin");
        var callbackUrl = await host.Emulator.ConsentAsync(challenge.Headers.Location!, cancellationToken: TestContext.Current.CancellationToken);
        using var callback = await host.Browser.GetAsync(callbackUrl);

        var failure = await host.AssertRemoteFailureAsync(callback);
        Assert.Contains("invalid_request", failure.Message, StringComparison.Ordinal);
        Assert.Contains("The scope may only be 'projects'.", failure.Message, StringComparison.Ordinal);
        Assert.Equal("invalid_request", failure.Data["error"]);
        host.Browser.AssertNoStateCookie();
    }

    [Theory]
    [InlineData("error", "error_description", "state")]
    [InlineData("Error", "Error_Description", "STATE")] // query names are case-insensitive to the base handler too
    public async Task Hostile_error_description_is_sanitized_and_capped(string error, string errorDescription, string stateName)
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var state = QueryOf(await host.ChallengeAsync())["state"];

        var description = Uri.EscapeDataString("line1\r\nFAKE LOG LINE " + new string('x', 5000));
        using var callback = await host.Browser.GetAsync($"/signin-ellipsisdrive?{error}=server_error&{errorDescription}={description}&{stateName}={state}");

        var failure = await host.AssertRemoteFailureAsync(callback);
        Assert.Contains("server_error", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.InRange(failure.Message.Length, 1, 500);
    }

    public static TheoryData<string, int?, string?, string, string> TokenFaults => new()
    {
        { "400 invalid_grant", 400, """{"error":"invalid_grant","error_description":"The code expired."}""", "application/json", "HTTP 400" },
        { "401 invalid_client", 401, """{"error":"invalid_client"}""", "application/json", "HTTP 401" },
        { "429 message", 429, """{"message":"Too many actions per minute."}""", "application/json", "Too many actions per minute." },
        { "500 empty", 500, null, "application/json", "HTTP 500" },
        { "503 html", 503, "<html><body>Bad gateway</body></html>", "text/html", "HTTP 503" },
        { "200 html", 200, "<html>maintenance</html>", "text/html", "HTTP 200" },
        { "200 empty", 200, "", "application/json", "HTTP 200" },
        { "200 message without token", 200, """{"message":"ok"}""", "application/json", "without an access token" },
        { "200 token with a line break", 200, """{"access_token":"abc\r\nInjected: 1","token_type":"Bearer"}""", "application/json", "cannot be sent in an Authorization header" },
        { "200 token with a space", 200, """{"access_token":"abc def","token_type":"Bearer"}""", "application/json", "cannot be sent in an Authorization header" },
        { "500 description with a forged log line", 500, """{"error":"server_error","error_description":"down\r\nfail: forged line \u202Egnp.exe"}""", "application/json", "down??fail: forged line ?gnp.exe" },
    };

    [Theory]
    [MemberData(nameof(TokenFaults))]
    public async Task Token_endpoint_fault_is_a_remote_failure_with_the_status_and_no_token(string name, int? status, string? body, string contentType, string expected)
    {
        Assert.NotNull(name);
        await using var host = await EllipsisDriveTestHost.StartAsync();
        host.Emulator.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { StatusCode = status, Body = body, ContentType = contentType });

        var signIn = await host.SignInAsync();

        var failure = await host.AssertRemoteFailureAsync(signIn.Callback);
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
        Assert.IsType<EllipsisDriveTokenException>(failure);
        Assert.Equal(0, host.Emulator.CountRequests(EmulatorEndpoint.Account));
        host.Browser.AssertNoStateCookie();
        host.LeakScanner().AssertNoLeaks();
    }

    [Fact]
    public async Task Token_endpoint_dropping_the_connection_is_a_remote_failure()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        host.Emulator.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { DropConnection = true });

        var signIn = await host.SignInAsync();

        var failure = await host.AssertRemoteFailureAsync(signIn.Callback);
        Assert.Contains("could not be reached", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EmulatorEndpoint.TokenAuthorizationCode, "BackchannelTimeout")]
    [InlineData(EmulatorEndpoint.Account, "account endpoint did not answer")]
    public async Task Token_or_account_endpoint_slower_than_the_backchannel_timeout_is_a_remote_failure(EmulatorEndpoint endpoint, string expected)
    {
        await using var host = await EllipsisDriveTestHost.StartAsync(options => options.BackchannelTimeout = TimeSpan.FromSeconds(1));
        host.Emulator.InjectFault(endpoint, new EmulatorFault { Delay = TimeSpan.FromSeconds(30) });

        var signIn = await host.SignInAsync();

        var failure = await host.AssertRemoteFailureAsync(signIn.Callback);
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replayed_callback_with_copied_cookies_is_rejected_before_the_code_is_sent_again()
    {
        await using var host = await EllipsisDriveTestHost.StartAsync();
        var authorizationUrl = await host.ChallengeAsync();
        var callbackUrl = await host.Emulator.ConsentAsync(authorizationUrl, cancellationToken: TestContext.Current.CancellationToken);
        var cookieHeader = host.Browser.Cookies.GetCookieHeader(callbackUrl);
        using (await host.Browser.GetAsync(callbackUrl))
        {
        }

        // An attacker who captured the callback and the browser's cookies replays both.
        var attacker = host.NewBrowser();
        using var replay = new HttpRequestMessage(HttpMethod.Get, callbackUrl);
        replay.Headers.Add("Cookie", cookieHeader);
        using var response = await attacker.SendAsync(replay);

        var failure = await host.AssertRemoteFailureAsync(response, attacker);
        Assert.Contains("already used", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, host.Emulator.CountRequests(EmulatorEndpoint.TokenAuthorizationCode));
    }

    public static TheoryData<string, int, string?, string, string> AccountFaults => new()
    {
        { "401 message", 401, """{"message":"Invalid token."}""", "application/json", "HTTP 401: Invalid token." },
        { "403", 403, """{"message":"Forbidden."}""", "application/json", "HTTP 403" },
        { "429", 429, """{"message":"Too many actions per minute."}""", "application/json", "HTTP 429" },
        { "500 empty", 500, null, "application/json", "HTTP 500" },
        { "502 html", 502, "<html>bad gateway</html>", "text/html", "HTTP 502" },
        { "200 html", 200, "<html>login</html>", "text/html", "HTTP 200" },
        { "200 empty", 200, "", "application/json", "HTTP 200" },
        { "200 array", 200, "[]", "application/json", "not a JSON object" },
        { "200 neither id nor username", 200, """{"email":"x@example.com"}""", "application/json", "neither an 'id' nor a 'username'" },
    };

    [Theory]
    [MemberData(nameof(AccountFaults))]
    public async Task Account_fault_is_a_remote_failure_with_the_status_and_no_token(string name, int status, string? body, string contentType, string expected)
    {
        Assert.NotNull(name);
        await using var host = await EllipsisDriveTestHost.StartAsync();
        host.Emulator.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = status, Body = body, ContentType = contentType });

        var signIn = await host.SignInAsync();

        var failure = await host.AssertRemoteFailureAsync(signIn.Callback);
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
        Assert.IsType<AuthenticationFailureException>(failure);
        host.LeakScanner().AssertNoLeaks();
    }

    [Fact]
    public async Task Remote_failure_keeps_the_return_url_for_OnRemoteFailure()
    {
        string? returnUrl = null;
        await using var host = await EllipsisDriveTestHost.StartAsync(options =>
        {
            var recordAndAnswer = options.Events.OnRemoteFailure;
            options.Events.OnRemoteFailure = context =>
            {
                returnUrl = context.Properties?.RedirectUri;
                return recordAndAnswer(context);
            };
        });
        host.Emulator.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { StatusCode = 500 });

        var signIn = await host.SignInAsync(returnUrl: "/me?from=failure");

        await host.AssertRemoteFailureAsync(signIn.Callback);
        Assert.Equal("/me?from=failure", returnUrl);
    }
}
