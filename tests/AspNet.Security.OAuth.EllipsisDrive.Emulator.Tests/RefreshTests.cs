using System.Net;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

public sealed class RefreshTests : EmulatorTestBase
{
    [Fact]
    public async Task Rotating_refresh_answers_a_new_refresh_token_and_retires_the_old_one()
    {
        await StartAsync();
        var refreshToken = await RefreshTokenAsync();

        using var first = await PostFormAsync(RefreshRequest(refreshToken));
        var rotated = (await JsonAsync(first)).GetProperty("refresh_token").GetString()!;
        using var reuse = await PostFormAsync(RefreshRequest(refreshToken));
        using var next = await PostFormAsync(RefreshRequest(rotated));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotEqual(refreshToken, rotated);
        Assert.Equal("invalid_grant", await ErrorOfAsync(reuse));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Non_rotating_refresh_answers_no_refresh_token_and_keeps_the_old_one_valid()
    {
        await StartAsync(o => o.RotateRefreshTokens = false);
        var refreshToken = await RefreshTokenAsync();

        using var first = await PostFormAsync(RefreshRequest(refreshToken));
        using var second = await PostFormAsync(RefreshRequest(refreshToken));
        var body = await JsonAsync(first);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(body.TryGetProperty("access_token", out _));
        Assert.False(body.TryGetProperty("refresh_token", out _));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task Refreshed_access_token_works_after_the_old_one_expired()
    {
        await StartAsync();
        var tokens = await SignInAsync();
        Time.Advance(TimeSpan.FromHours(1));
        using var expired = await GetApiAsync("account", tokens.GetProperty("access_token").GetString());

        using var refresh = await PostJsonAsync(RefreshRequest(tokens.GetProperty("refresh_token").GetString()!));
        using var account = await GetApiAsync("account", (await JsonAsync(refresh)).GetProperty("access_token").GetString());

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_rotating_token_give_exactly_one_success()
    {
        await StartAsync();
        var refreshToken = await RefreshTokenAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => PostFormAsync(RefreshRequest(refreshToken))));
        var errors = await Task.WhenAll(responses.Where(r => !r.IsSuccessStatusCode).Select(ErrorOfAsync));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(99, errors.Length);
        Assert.All(errors, e => Assert.Equal("invalid_grant", e));
        Assert.Equal(100, Emulator.CountRequests(EmulatorEndpoint.TokenRefresh));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_refresh_token_of_another_client_is_invalid_grant()
    {
        await StartAsync();
        Emulator.RegisterClient("other", "other-secret", RedirectUri);
        var refreshToken = await RefreshTokenAsync();
        var request = RefreshRequest(refreshToken);
        request["client_id"] = "other";
        request["client_secret"] = "other-secret";

        using var response = await PostFormAsync(request);

        Assert.Equal("invalid_grant", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Missing_refresh_token_is_invalid_request()
    {
        await StartAsync();
        var request = RefreshRequest("x");
        request.Remove("refresh_token");

        using var response = await PostFormAsync(request);

        Assert.Equal("invalid_request", await ErrorOfAsync(response));
    }
}
