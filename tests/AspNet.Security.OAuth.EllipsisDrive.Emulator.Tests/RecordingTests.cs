using System.Net.Http.Json;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

public sealed class RecordingTests : EmulatorTestBase
{
    [Fact]
    public async Task Every_request_is_recorded_in_order_with_its_endpoint()
    {
        await StartAsync();

        await SignInAsync();

        Assert.Equal(
            [EmulatorEndpoint.Authorize, EmulatorEndpoint.Consent, EmulatorEndpoint.TokenAuthorizationCode],
            Emulator.Requests.Select(r => r.Endpoint));
    }

    [Fact]
    public async Task A_form_token_request_is_recorded_with_headers_body_and_parameters()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        Emulator.ClearRequests();

        using var response = await PostFormAsync(CodeRequest(code));

        var recorded = Assert.Single(Emulator.Requests);
        Assert.Equal("POST", recorded.Method);
        Assert.Equal("/v3/oauth/token", recorded.Path);
        Assert.Equal(Time.GetUtcNow(), recorded.Timestamp);
        Assert.StartsWith("application/x-www-form-urlencoded", recorded.Headers["content-type"], StringComparison.Ordinal);
        Assert.Contains("authorization_code=" + code, recorded.Body, StringComparison.Ordinal);
        Assert.Equal(code, recorded.Parameters["authorization_code"]);
        Assert.Equal(RedirectUri, recorded.Form["redirect_uri"]);
    }

    [Fact]
    public async Task A_json_token_request_is_parsed_into_parameters()
    {
        await StartAsync();
        var code = await GetCodeAsync();
        Emulator.ClearRequests();

        using var response = await Http.PostAsJsonAsync(TokenUrl, CodeRequest(code), Ct);

        var recorded = Assert.Single(Emulator.Requests);
        Assert.Equal(EmulatorEndpoint.TokenAuthorizationCode, recorded.Endpoint);
        Assert.Equal(code, recorded.Parameters["authorization_code"]);
        Assert.Equal("authorization_code", recorded.Parameters["grant_type"]);
    }

    [Fact]
    public async Task The_authorize_query_is_recorded()
    {
        await StartAsync();

        using var response = await Http.GetAsync(AuthorizeUrl(("state", "abc")), Ct);

        var recorded = Assert.Single(Emulator.Requests);
        Assert.StartsWith("?", recorded.QueryString, StringComparison.Ordinal);
        Assert.Equal("abc", recorded.Query["state"]);
        Assert.Equal(ClientId, recorded.Parameters["client_id"]);
    }

    [Fact]
    public async Task ClearRequests_forgets_recorded_requests()
    {
        await StartAsync();
        using var response = await Http.GetAsync(AuthorizeUrl(), Ct);

        Emulator.ClearRequests();

        Assert.Empty(Emulator.Requests);
        Assert.Equal(0, Emulator.CountRequests(EmulatorEndpoint.Authorize));
    }

    [Fact]
    public async Task Unknown_paths_are_recorded_without_an_endpoint()
    {
        await StartAsync();

        using var response = await Http.GetAsync(new Uri(Emulator.BaseAddress, "nothing-here"), Ct);

        Assert.Null(Assert.Single(Emulator.Requests).Endpoint);
    }

    [Fact]
    public async Task IssuedSecrets_holds_codes_access_and_refresh_tokens()
    {
        await StartAsync();
        var code = await GetCodeAsync();

        using var response = await PostFormAsync(CodeRequest(code));
        var tokens = await JsonAsync(response);

        Assert.Contains(code, Emulator.IssuedSecrets);
        Assert.Contains(tokens.GetProperty("access_token").GetString(), Emulator.IssuedSecrets);
        Assert.Contains(tokens.GetProperty("refresh_token").GetString(), Emulator.IssuedSecrets);
    }

    [Fact]
    public async Task BaseAddress_is_loopback_and_ends_with_v3()
    {
        await StartAsync();

        Assert.Equal("127.0.0.1", Emulator.BaseAddress.Host);
        Assert.NotEqual(0, Emulator.BaseAddress.Port);
        Assert.EndsWith("/v3/", Emulator.BaseAddress.AbsolutePath, StringComparison.Ordinal);
    }
}
