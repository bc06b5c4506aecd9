using System.Net;
using System.Text.Json;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;

namespace AspNet.Security.OAuth.EllipsisDrive.Bff.Tests;

/// <summary><c>/bff/user</c>, <c>/bff/login</c> and <c>/bff/logout</c>, as the SPA and a hostile page use them.</summary>
public sealed class UserEndpointTests : IAsyncLifetime
{
    private EllipsisDriveEmulator _drive = null!;
    private BffTestHost _host = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _drive = await EllipsisDriveEmulator.StartAsync();
        _host = await BffTestHost.StartAsync(_drive);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _drive.DisposeAsync();
    }

    [Fact]
    public async Task User_answers_the_safe_claims_of_the_signed_in_user_and_no_token()
    {
        await _host.SignInAsync("alice");

        using var response = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/user"));
        var body = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        using var json = JsonDocument.Parse(body);
        var claims = json.RootElement.GetProperty("claims").EnumerateArray()
            .Select(c => (Type: c.GetProperty("type").GetString()!, Value: c.GetProperty("value").GetString()!))
            .ToList();
        Assert.Contains((System.Security.Claims.ClaimTypes.Name, "alice"), claims);
        Assert.Contains(claims, c => c.Type == EllipsisDriveClaimTypes.Plan);
        Assert.All(claims, c => Assert.Contains(c.Type, new EllipsisDriveBffOptions().UserClaimTypes));
        Assert.Equal(0, _drive.IssuedSecrets.Count(secret => body.Contains(secret, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task User_shows_only_the_configured_claim_types()
    {
        await using var host = await BffTestHost.StartAsync(_drive, new BffTestHost.Options
        {
            Configure = options =>
            {
                options.UserClaimTypes.Clear();
                options.UserClaimTypes.Add(System.Security.Claims.ClaimTypes.Name);
            },
        });
        await host.SignInAsync("bob");

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/user"));

        Assert.Equal(
            "{\"claims\":[{\"type\":\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name\",\"value\":\"bob\"}]}",
            await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task User_for_an_anonymous_caller_is_a_401_json_not_a_redirect()
    {
        using var response = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/user"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task User_needs_the_csrf_header()
    {
        await _host.SignInAsync();

        using var response = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/user", csrf: false));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/drive?folder=abc#top")]
    [InlineData("/deep/page")]
    public async Task Login_comes_back_to_a_local_return_url(string returnUrl)
    {
        Assert.Equal(returnUrl, await _host.SignInReturningToAsync(returnUrl));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("/\tevil")]
    [InlineData("~/page")]
    public async Task Login_ignores_a_return_url_that_leaves_the_app(string returnUrl)
    {
        Assert.Equal("/", await _host.SignInReturningToAsync(returnUrl));
    }

    [Fact]
    public async Task Logout_signs_out_removes_the_session_and_the_proxy_answers_401_after_it()
    {
        await _host.SignInAsync();

        using var logout = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Post, "/bff/logout"));
        using var user = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/user"));
        using var proxied = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account"));

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, proxied.StatusCode);
    }

    [Fact]
    public async Task A_copied_session_cookie_is_useless_after_logout()
    {
        await _host.SignInAsync();
        var stolen = _host.Cookies.GetCookieHeader(_host.BaseAddress);

        using var logout = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Post, "/bff/logout"));
        using var replay = BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account");
        replay.Headers.Add("Cookie", stolen);
        using var response = await _host.SendAsync(replay);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(false, "same-origin")]
    [InlineData(true, "cross-site")]
    [InlineData(true, "same-site")]
    public async Task Logout_from_another_page_or_without_the_csrf_header_is_refused_and_the_user_stays_signed_in(bool csrf, string site)
    {
        await _host.SignInAsync();

        using var logout = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Post, "/bff/logout", csrf, site));
        using var user = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/user"));

        Assert.Equal(HttpStatusCode.Forbidden, logout.StatusCode);
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
    }

    [Fact]
    public async Task Logout_is_post_only()
    {
        await _host.SignInAsync();

        using var logout = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/logout"));
        using var user = await _host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/user"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, logout.StatusCode);
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
    }
}
