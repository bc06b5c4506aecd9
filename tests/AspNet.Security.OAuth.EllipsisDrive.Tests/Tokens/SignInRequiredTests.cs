using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// "Sign in again" (<see cref="EllipsisDriveSignInRequiredException"/>) through <c>UseEllipsisDriveSignInRequired()</c>,
/// and the handler's challenge for code rather than browsers: a 401 for API and XHR callers, a redirect for pages.
/// </summary>
public sealed class SignInRequiredTests : IAsyncDisposable
{
    private static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);

    // From the real now: the browser drops cookies whose expiry (from this clock) is in its past.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private EllipsisDriveEmulator? _drive;
    private SignInRequiredTestHost? _host;

    private SignInRequiredTestHost Host => _host ?? throw new InvalidOperationException("Call StartAsync first.");

    private static (string, string) AcceptJson => ("Accept", "application/json");

    private static (string, string) AcceptHtml => ("Accept", SignInRequiredTestHost.Html);

    private static (string, string) Xhr => ("X-Requested-With", "XMLHttpRequest");

    [Fact]
    public async Task Minimal_api_with_a_json_accept_gets_401_with_a_challenge_and_a_problem_body_not_500()
    {
        await StartAsync();

        using var response = await Host.SendAsync(HttpMethod.Get, "/api/token", AcceptJson);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(EllipsisDriveDefaults.AuthenticationScheme, Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":401", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Cookies", body, StringComparison.Ordinal); // the exception's message stays on the server
    }

    [Fact]
    public async Task Minimal_api_returning_json_called_with_fetch_defaults_gets_401()
    {
        await StartAsync();

        using var response = await Host.SendAsync(HttpMethod.Get, "/api/token", ("Accept", "*/*"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Page_request_is_challenged_and_comes_back_to_the_same_page_after_sign_in()
    {
        await StartAsync();

        using var challenge = await Host.SendAsync(HttpMethod.Get, "/page?tab=files&sort=name", AcceptHtml);
        var callback = await Host.Drive.ConsentAsync(challenge.Headers.Location!, "alice", allow: true, TestContext.Current.CancellationToken);
        using var signedIn = await Host.Browser.GetAsync(callback);

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.StartsWith(new Uri(Host.Drive.BaseAddress, EllipsisDriveDefaults.AuthorizationEndpointPath).AbsoluteUri, challenge.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("/page?tab=files&sort=name", signedIn.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Post_from_a_page_is_challenged_and_comes_back_to_the_app_root()
    {
        await StartAsync();

        using var challenge = await Host.SendAsync(HttpMethod.Post, "/page", AcceptHtml);
        var callback = await Host.Drive.ConsentAsync(challenge.Headers.Location!, "alice", allow: true, TestContext.Current.CancellationToken);
        using var signedIn = await Host.Browser.GetAsync(callback);

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Mvc_action_called_with_xhr_gets_401()
    {
        await StartAsync();

        using var response = await Host.SendAsync(HttpMethod.Get, "/mvc/token", Xhr);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(EllipsisDriveDefaults.AuthenticationScheme, Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Mvc_action_requested_as_a_page_is_challenged()
    {
        await StartAsync();

        using var response = await Host.SendAsync(HttpMethod.Get, "/mvc/token", AcceptHtml);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(Host.Drive.BaseAddress.AbsoluteUri, response.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cookie_mode_rejected_refresh_deletes_the_auth_cookie_and_answers_401_not_500(bool developerExceptionPage)
    {
        await StartSignedInWithARejectedRefreshTokenAsync(developerExceptionPage);

        using var response = await Host.SendAsync(HttpMethod.Get, "/api/token", AcceptJson);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(SetCookies(response), IsAuthCookieDeletion);
        Assert.Equal("anonymous", await WhoAmIAsync());
    }

    [Fact]
    public async Task Server_mode_rejected_refresh_answers_401_not_500()
    {
        await StartSignedInWithARejectedRefreshTokenAsync(developerExceptionPage: true, serverMode: true);

        using var response = await Host.SendAsync(HttpMethod.Get, "/api/token", AcceptJson);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("anonymous", await WhoAmIAsync());
    }

    [Fact]
    public async Task The_problem_body_is_written_by_the_apps_problem_details_service()
    {
        await StartAsync(problemDetails: true);

        using var response = await Host.SendAsync(HttpMethod.Get, "/api/token", AcceptJson);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"app\":\"customized\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_mode_rejected_refresh_on_a_page_deletes_the_auth_cookie_and_challenges_past_the_developer_exception_page()
    {
        await StartSignedInWithARejectedRefreshTokenAsync(developerExceptionPage: true);

        using var response = await Host.SendAsync(HttpMethod.Get, "/page", AcceptHtml);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(Host.Drive.BaseAddress.AbsoluteUri, response.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains(SetCookies(response), IsAuthCookieDeletion);
    }

    [Fact]
    public async Task Cookie_mode_rejected_refresh_in_the_typed_client_answers_401_not_500()
    {
        await StartSignedInWithARejectedRefreshTokenAsync(developerExceptionPage: true);

        using var response = await Host.SendAsync(HttpMethod.Get, "/api/account", AcceptJson);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(SetCookies(response), IsAuthCookieDeletion);
    }

    [Fact]
    public async Task Response_already_started_logs_a_warning_and_the_exception_passes_on()
    {
        await StartAsync();

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await Host.SendAsync(HttpMethod.Get, "/page-after-body", AcceptHtml);
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        });

        Assert.Contains(Host.Logs.GetSnapshot(), record => record.Id.Id == 1501);
    }

    [Fact]
    public async Task Other_exceptions_pass_through_untouched()
    {
        await StartAsync();

        var exception = await Record.ExceptionAsync(() => Host.SendAsync(HttpMethod.Get, "/boom", AcceptJson));

        Assert.IsType<InvalidOperationException>(exception);
    }

    [Theory]
    [InlineData("/secure", "X-Requested-With", "XMLHttpRequest")]
    [InlineData("/secure", "Accept", "application/json")]
    [InlineData("/mvc/secure", "X-Requested-With", "XMLHttpRequest")]
    [InlineData("/mvc/secure", "Accept", "application/json, text/plain, */*")]
    public async Task Api_or_xhr_call_to_an_authorize_endpoint_while_anonymous_gets_401_not_302(string path, string header, string value)
    {
        await StartAsync(useMiddleware: false);

        using var response = await Host.SendAsync(HttpMethod.Get, path, (header, value));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(EllipsisDriveDefaults.AuthenticationScheme, Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Empty(SetCookies(response)); // no state cookie for a sign-in that cannot start
    }

    [Theory]
    [InlineData("/secure")]
    [InlineData("/mvc/secure")]
    public async Task Page_request_to_an_authorize_endpoint_while_anonymous_is_still_redirected(string path)
    {
        await StartAsync(useMiddleware: false);

        using var response = await Host.SendAsync(HttpMethod.Get, path, AcceptHtml);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(Host.Drive.BaseAddress.AbsoluteUri, response.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_drive is not null)
        {
            await _drive.DisposeAsync();
        }
    }

    private async Task StartAsync(bool useMiddleware = true, bool developerExceptionPage = false, bool serverMode = false, bool problemDetails = false)
    {
        _drive = await EllipsisDriveEmulator.StartAsync(
            new EllipsisDriveEmulatorOptions { TimeProvider = _time, AccessTokenLifetime = AccessTokenLifetime }, TestContext.Current.CancellationToken);
        _host = await SignInRequiredTestHost.StartAsync(_drive, _time, serverMode, useMiddleware, developerExceptionPage, problemDetails);
    }

    private async Task StartSignedInWithARejectedRefreshTokenAsync(bool developerExceptionPage, bool serverMode = false)
    {
        await StartAsync(developerExceptionPage: developerExceptionPage, serverMode: serverMode);
        await Host.SignInAsync();
        Assert.NotEqual("anonymous", await WhoAmIAsync());

        _time.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));
        Host.Drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault
        {
            StatusCode = 400,
            Body = """{"error":"invalid_grant","error_description":"The refresh token was revoked."}""",
        });
    }

    private async Task<string> WhoAmIAsync()
    {
        using var response = await Host.Browser.GetAsync("/whoami");
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    private static bool IsAuthCookieDeletion(string setCookie) =>
        setCookie.StartsWith(".AspNetCore.Cookies=;", StringComparison.Ordinal)
        && setCookie.Contains("expires=Thu, 01 Jan 1970 00:00:00 GMT", StringComparison.OrdinalIgnoreCase);
}
