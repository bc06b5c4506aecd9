using System.Net;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;

namespace AspNet.Security.OAuth.EllipsisDrive.Bff.Tests;

/// <summary>The proxy on the token layer: cookie mode, a refused refresh, an unavailable token endpoint.</summary>
public sealed class TokenLayerTests : IAsyncLifetime
{
    private EllipsisDriveEmulator _drive = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _drive = await EllipsisDriveEmulator.StartAsync();

    public ValueTask DisposeAsync() => _drive.DisposeAsync();

    [Fact]
    public async Task In_cookie_mode_the_renewed_auth_cookie_of_a_refresh_after_a_401_reaches_the_browser()
    {
        await using var host = await BffTestHost.StartAsync(_drive, new BffTestHost.Options { CookieMode = true });
        await host.SignInAsync();
        _drive.ExpireAccessTokens();

        using var first = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account/root/myDrive"));
        using var second = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account/root/myDrive"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(first.Headers.Contains("Set-Cookie"), "The refreshed tokens did not go back in the auth cookie.");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, _drive.CountRequests(EmulatorEndpoint.TokenRefresh));
        Assert.Equal(3, _drive.CountRequests(EmulatorEndpoint.ListRoot));
    }

    [Fact]
    public async Task A_refused_refresh_ends_the_session_with_a_401_json()
    {
        await using var host = await BffTestHost.StartAsync(_drive);
        await host.SignInAsync();
        _drive.ExpireAccessTokens();
        _drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 400, Body = "{\"error\":\"invalid_grant\"}", ContentType = "application/json" });

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account/root/myDrive"));
        using var user = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/user"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Headers.Location);
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
    }

    [Fact]
    public async Task An_unavailable_token_endpoint_is_a_503_and_the_session_is_kept()
    {
        await using var host = await BffTestHost.StartAsync(_drive);
        await host.SignInAsync();
        _drive.ExpireAccessTokens();
        _drive.InjectFault(EmulatorEndpoint.TokenRefresh, new EmulatorFault { StatusCode = 503, Times = 1 });

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account/root/myDrive"));
        using var retried = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account/root/myDrive"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        _ = await retried.Content.ReadAsStringAsync(Cancel);
    }
}
