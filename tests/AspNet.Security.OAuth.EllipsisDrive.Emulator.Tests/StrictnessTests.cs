using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

public sealed class StrictnessTests : EmulatorTestBase
{
    [Fact]
    public async Task A_repeated_authorize_parameter_is_redirected_back_as_invalid_request()
    {
        await StartAsync();

        using var response = await Http.GetAsync(new Uri(AuthorizeUrl() + "&scope=projects"), Ct);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("invalid_request", QueryOf(response.Headers.Location!)["error"]);
    }

    [Fact]
    public async Task A_repeated_client_id_gets_an_error_page()
    {
        await StartAsync();

        using var response = await Http.GetAsync(new Uri(AuthorizeUrl() + "&client_id=" + ClientId), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task A_repeated_token_parameter_is_invalid_request()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        var body = new FormUrlEncodedContent(CodeRequest(code));
        var text = await body.ReadAsStringAsync(Ct) + "&authorization_code=" + code;

        using var response = await Http.PostAsync(TokenUrl, new StringContent(text, Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);

        Assert.Equal("invalid_request", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Basic_and_body_secret_together_is_invalid_request()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(ClientId + ":" + ClientSecret)));

        using var response = await PostFormAsync(CodeRequest(code), basic);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task A_json_body_that_is_not_an_object_is_invalid_request()
    {
        await StartAsync();

        using var response = await Http.PostAsync(TokenUrl, new StringContent("[\"grant_type\"]", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal("invalid_request", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task A_plain_text_body_is_415()
    {
        await StartAsync();

        using var response = await Http.PostAsync(TokenUrl, new StringContent("grant_type=refresh_token", Encoding.UTF8, "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_refresh_asking_for_another_scope_is_invalid_scope()
    {
        await StartAsync();
        var request = RefreshRequest(await RefreshTokenAsync());
        request["scope"] = "settings";

        using var response = await PostFormAsync(request);

        Assert.Equal("invalid_scope", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task A_verifier_without_a_challenge_is_invalid_request()
    {
        await StartAsync();
        var request = CodeRequest(await GetCodeAsync());
        request["code_verifier"] = new string('v', 43);

        using var response = await PostFormAsync(request);

        Assert.Equal("invalid_request", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Parallel_refreshes_of_distinct_tokens_all_succeed()
    {
        await StartAsync(o => o.AccessTokenLifetime = null);
        var refreshTokens = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            refreshTokens.Add(await RefreshTokenAsync());
        }

        var responses = await Task.WhenAll(refreshTokens.Select(t => PostJsonAsync(RefreshRequest(t))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Logs_never_contain_an_issued_secret_or_the_client_secret()
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        await StartAsync(o => o.LoggerFactory = loggerFactory);
        var tokens = await SignInAsync();
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        using var refreshed = await PostFormAsync(RefreshRequest(refresh));
        using var reused = await PostFormAsync(RefreshRequest(refresh));
        using var account = await GetApiAsync("account", tokens.GetProperty("access_token").GetString());

        var logs = collector.GetSnapshot().Select(r => r.Message + " " + r.Exception).ToList();

        Assert.NotEmpty(logs);
        Assert.Contains(logs, l => l.Contains("invalid_grant", StringComparison.Ordinal));
        foreach (var secret in Emulator.IssuedSecrets.Append(ClientSecret))
        {
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Logs_given_to_the_emulator_carry_no_framework_request_lines_and_no_state()
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        await StartAsync(o => o.LoggerFactory = loggerFactory);
        const string state = "a-state-that-must-not-be-logged";

        await Emulator.ConsentAsync(AuthorizeUrl(("state", state)), cancellationToken: Ct);

        var records = collector.GetSnapshot();
        Assert.Contains(records, r => r.Category?.StartsWith("AspNet.Security.OAuth.EllipsisDrive", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(records, r => r.Category?.StartsWith("Microsoft", StringComparison.Ordinal) == true && r.Level < LogLevel.Warning);
        Assert.DoesNotContain(records, r => r.Message.Contains(state, StringComparison.Ordinal));
    }
}
