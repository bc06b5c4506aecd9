using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

public sealed class TokenTests : EmulatorTestBase
{
    [Fact]
    public async Task Code_exchange_answers_snake_case_tokens()
    {
        await StartAsync();

        var tokens = await SignInAsync();

        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        Assert.Equal(3600, tokens.GetProperty("expires_in").GetInt32());
        Assert.Equal("projects", tokens.GetProperty("scope").GetString());
        Assert.Matches("^[A-Za-z0-9_-]{43,}$", tokens.GetProperty("access_token").GetString());
        Assert.Matches("^[A-Za-z0-9_-]{43,}$", tokens.GetProperty("refresh_token").GetString());
    }

    [Fact]
    public async Task CamelCase_naming_answers_camelCase_keys()
    {
        await StartAsync(o => o.TokenResponseNaming = EmulatorTokenResponseNaming.CamelCase);

        var tokens = await SignInAsync();

        Assert.True(tokens.TryGetProperty("accessToken", out _));
        Assert.True(tokens.TryGetProperty("refreshToken", out _));
        Assert.Equal("Bearer", tokens.GetProperty("tokenType").GetString());
        Assert.Equal(3600, tokens.GetProperty("expiresIn").GetInt32());
        Assert.False(tokens.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task Without_a_lifetime_expires_in_is_omitted_and_the_token_never_expires()
    {
        await StartAsync(o => o.AccessTokenLifetime = null);

        var tokens = await SignInAsync();
        Time.Advance(TimeSpan.FromDays(3650));
        using var account = await GetApiAsync("account", tokens.GetProperty("access_token").GetString());

        Assert.False(tokens.TryGetProperty("expires_in", out _));
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
    }

    [Fact]
    public async Task IncludeRefreshToken_off_answers_no_refresh_token()
    {
        await StartAsync(o => o.IncludeRefreshToken = false);

        var tokens = await SignInAsync();

        Assert.False(tokens.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task A_code_can_be_used_only_once()
    {
        await StartAsync();
        var code = await GetCodeAsync();

        using var first = await PostFormAsync(CodeRequest(code));
        using var second = await PostFormAsync(CodeRequest(code));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal("invalid_grant", await ErrorOfAsync(second));
    }

    [Fact]
    public async Task A_code_is_valid_just_under_60_seconds()
    {
        await StartAsync();
        var code = await GetCodeAsync();

        Time.Advance(TimeSpan.FromSeconds(59.999));
        using var response = await PostFormAsync(CodeRequest(code));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_code_expires_at_60_seconds()
    {
        await StartAsync();
        var code = await GetCodeAsync();

        Time.Advance(TimeSpan.FromSeconds(60));
        using var response = await PostFormAsync(CodeRequest(code));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", await ErrorOfAsync(response));
    }

    [Theory]
    [InlineData("plain", true)]
    [InlineData("plain", false)]
    [InlineData("S256", true)]
    [InlineData("S256", false)]
    [InlineData(null, true)]
    public async Task Pkce_verifier_is_checked(string? method, bool goodVerifier)
    {
        await StartAsync();
        var verifier = "verifier-" + new string('a', 50);
        var challenge = method == "S256" ? S256(verifier) : verifier;
        var code = await GetCodeAsync(("code_challenge", challenge), ("code_challenge_method", method));
        var request = CodeRequest(code);
        request["code_verifier"] = goodVerifier ? verifier : verifier + "x";

        using var response = await PostFormAsync(request);

        Assert.Equal(goodVerifier ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
        if (!goodVerifier)
        {
            Assert.Equal("invalid_grant", await ErrorOfAsync(response));
        }
    }

    [Fact]
    public async Task S256_rejects_the_challenge_sent_as_verifier()
    {
        await StartAsync();
        var challenge = S256(new string('v', 43));
        var code = await GetCodeAsync(("code_challenge", challenge), ("code_challenge_method", "S256"));
        var request = CodeRequest(code);
        request["code_verifier"] = challenge;

        using var response = await PostFormAsync(request);

        Assert.Equal("invalid_grant", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Missing_verifier_after_a_challenge_is_invalid_request()
    {
        await StartAsync();
        var code = await GetCodeAsync(("code_challenge", S256(new string('v', 43))), ("code_challenge_method", "S256"));

        using var response = await PostFormAsync(CodeRequest(code));

        Assert.Equal("invalid_request", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Redirect_uri_must_match_the_authorization_request()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        var request = CodeRequest(code);
        request["redirect_uri"] = "https://app.example/other";

        using var response = await PostFormAsync(request);

        Assert.Equal("invalid_grant", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Redirect_uri_is_required_when_one_was_sent_to_authorize()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        var request = CodeRequest(code);
        request.Remove("redirect_uri");

        using var response = await PostFormAsync(request);

        Assert.Equal("invalid_request", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Redirect_uri_may_be_omitted_when_authorize_omitted_it()
    {
        await StartAsync();
        var code = await GetCodeAsync(("redirect_uri", null));
        var request = CodeRequest(code);
        request.Remove("redirect_uri");

        using var response = await PostFormAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_code_only_in_RFC_parameter_code_is_rejected()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        var request = CodeRequest(code);
        request.Remove("authorization_code");
        request["code"] = code;

        using var response = await PostFormAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains("authorization_code", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(code, body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_extra_code_parameter_next_to_authorization_code_is_ignored()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        var request = CodeRequest(code);
        request["code"] = code;

        using var response = await PostFormAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Json_body_is_accepted()
    {
        await StartAsync();
        var code = await GetCodeAsync();

        using var response = await PostJsonAsync(CodeRequest(code));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Json_body_is_refused_when_disabled()
    {
        await StartAsync(o => o.AcceptJsonTokenRequests = false);
        var code = await GetCodeAsync();

        using var refused = await PostJsonAsync(CodeRequest(code));
        using var form = await PostFormAsync(CodeRequest(code));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Contains("AcceptJsonTokenRequests", (await JsonAsync(refused)).GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
    }

    [Fact]
    public async Task Form_body_is_refused_when_disabled()
    {
        await StartAsync(o => o.AcceptFormTokenRequests = false);
        var code = await GetCodeAsync();

        using var refused = await PostFormAsync(CodeRequest(code));
        using var json = await PostJsonAsync(CodeRequest(code));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
    }

    [Fact]
    public async Task Basic_authentication_is_accepted_and_url_decoded()
    {
        await StartAsync();
        const string Id = "my client:1";
        const string Secret = "s+cret/ with:colon";
        Emulator.RegisterClient(Id, Secret, RedirectUri);
        var code = await GetCodeAsync(("client_id", Id));
        var credentials = Uri.EscapeDataString(Id) + ":" + Uri.EscapeDataString(Secret);
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));

        using var response = await PostFormAsync(CodeRequest(code, withClientCredentials: false), basic);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Basic_authentication_with_a_wrong_secret_is_invalid_client()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(ClientId + ":wrong")));

        using var response = await PostFormAsync(CodeRequest(code, withClientCredentials: false), basic);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await ErrorOfAsync(response));
        Assert.NotNull(response.Headers.WwwAuthenticate.FirstOrDefault());
    }

    [Fact]
    public async Task Body_authentication_with_a_wrong_secret_is_invalid_client()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        var request = CodeRequest(code);
        request["client_secret"] = "wrong";

        using var response = await PostFormAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Missing_client_authentication_is_invalid_client()
    {
        await StartAsync();
        var code = await GetCodeAsync();

        using var response = await PostFormAsync(CodeRequest(code, withClientCredentials: false));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task A_code_of_another_client_is_invalid_grant()
    {
        await StartAsync();
        Emulator.RegisterClient("other", "other-secret", RedirectUri);
        var code = await GetCodeAsync();
        var request = CodeRequest(code);
        request["client_id"] = "other";
        request["client_secret"] = "other-secret";

        using var response = await PostFormAsync(request);

        Assert.Equal("invalid_grant", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Unknown_grant_type_is_unsupported_grant_type()
    {
        await StartAsync();

        using var response = await PostFormAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
        });

        Assert.Equal("unsupported_grant_type", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Error_responses_never_echo_the_client_secret_or_code()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        var request = CodeRequest(code);
        request["redirect_uri"] = "https://elsewhere.example/";

        using var response = await PostFormAsync(request);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(code, body, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issued_tokens_are_at_least_32_random_bytes_in_base64url()
    {
        await StartAsync();

        var tokens = await SignInAsync();
        var accessToken = tokens.GetProperty("access_token").GetString()!;

        var bytes = Convert.FromBase64String(accessToken.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (accessToken.Length % 4)) % 4));
        Assert.True(bytes.Length >= 32);
        Assert.NotEqual(accessToken, tokens.GetProperty("refresh_token").GetString());
    }

    [Fact]
    public async Task Malformed_json_is_invalid_request()
    {
        await StartAsync();

        using var response = await Http.PostAsync(TokenUrl, new StringContent("{not json", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Json_response_is_not_cacheable()
    {
        await StartAsync();
        var code = await GetCodeAsync();

        using var response = await PostJsonAsync(CodeRequest(code));

        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal(JsonValueKind.Object, (await JsonAsync(response)).ValueKind);
    }
}
