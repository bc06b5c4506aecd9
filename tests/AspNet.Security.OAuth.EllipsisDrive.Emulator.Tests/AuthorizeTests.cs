using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

public sealed class AuthorizeTests : EmulatorTestBase
{
    [Fact]
    public async Task The_consent_page_says_it_is_the_emulator_and_its_policy_allows_its_one_stylesheet_and_nothing_else()
    {
        await StartAsync();

        using var response = await Http.GetAsync(AuthorizeUrl(), Ct);
        var page = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Ellipsis Drive emulator: not the real Ellipsis Drive", page, StringComparison.Ordinal);
        var stylesheet = Assert.Single(Regex.Matches(page, "<style>(.*?)</style>", RegexOptions.Singleline)).Groups[1].Value;
        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(stylesheet)));
        Assert.Equal($"default-src 'none'; style-src 'sha256-{hash}'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unknown_client_gets_an_error_page_and_no_redirect()
    {
        await StartAsync();

        using var response = await Http.GetAsync(AuthorizeUrl(("client_id", "someone-else")), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("not a registered client", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unregistered_redirect_uri_gets_an_error_page_and_no_redirect()
    {
        await StartAsync();

        using var response = await Http.GetAsync(AuthorizeUrl(("redirect_uri", RedirectUri + "/")), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Omitted_redirect_uri_uses_the_single_registered_one()
    {
        await StartAsync();

        var location = await Emulator.ConsentAsync(AuthorizeUrl(("redirect_uri", null)), cancellationToken: Ct);

        Assert.StartsWith(RedirectUri + "?code=", location.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Omitted_redirect_uri_is_refused_when_two_are_registered()
    {
        await StartAsync();
        Emulator.RegisterClient(ClientId, ClientSecret, RedirectUri, "https://other.example/cb");

        using var response = await Http.GetAsync(AuthorizeUrl(("redirect_uri", null)), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task A_redirect_uri_added_later_is_accepted()
    {
        await StartAsync();
        const string Added = "https://added.example/cb";
        var client = Emulator.RegisterClient("second", "secret2");
        client.RedirectUris.Add(Added);

        var location = await Emulator.ConsentAsync(AuthorizeUrl(("client_id", "second"), ("redirect_uri", Added)), cancellationToken: Ct);

        Assert.StartsWith(Added + "?code=", location.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_longer_than_50_characters_is_redirected_back_as_invalid_request()
    {
        await StartAsync();
        var longState = new string('s', 51);

        using var response = await Http.GetAsync(AuthorizeUrl(("state", longState)), Ct);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var query = QueryOf(response.Headers.Location!);
        Assert.Equal("invalid_request", query["error"]);
        Assert.Contains("50", query["error_description"], StringComparison.Ordinal);
        Assert.Equal(longState, query["state"]);
    }

    [Fact]
    public async Task State_of_exactly_50_characters_is_accepted()
    {
        await StartAsync();
        var state = new string('s', 50);

        var location = await Emulator.ConsentAsync(AuthorizeUrl(("state", state)), cancellationToken: Ct);

        Assert.Equal(state, QueryOf(location)["state"]);
        Assert.True(QueryOf(location).ContainsKey("code"));
    }

    [Fact]
    public async Task Long_state_is_accepted_when_StrictStateLength_is_off()
    {
        await StartAsync(o => o.StrictStateLength = false);
        var longState = new string('s', 400);

        var location = await Emulator.ConsentAsync(AuthorizeUrl(("state", longState)), cancellationToken: Ct);

        Assert.Equal(longState, QueryOf(location)["state"]);
    }

    [Theory]
    [InlineData("code_challenge_method", "S512")]
    [InlineData("response_type", "token")]
    [InlineData("response_type", null)]
    [InlineData("scope", "projects account")]
    public async Task Invalid_parameter_is_redirected_back_as_invalid_request(string name, string? value)
    {
        await StartAsync();
        var challenge = ("code_challenge", (string?)S256(new string('v', 43)));

        using var response = await Http.GetAsync(AuthorizeUrl(challenge, (name, value)), Ct);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var query = QueryOf(response.Headers.Location!);
        Assert.StartsWith(RedirectUri + "?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request", query["error"]);
        Assert.Equal("xyz", query["state"]);
    }

    [Fact]
    public async Task Challenge_method_without_challenge_is_invalid_request()
    {
        await StartAsync();

        using var response = await Http.GetAsync(AuthorizeUrl(("code_challenge_method", "S256")), Ct);

        Assert.Equal("invalid_request", QueryOf(response.Headers.Location!)["error"]);
    }

    [Fact]
    public async Task Consent_page_offers_users_and_allow_deny_buttons_with_stable_names()
    {
        await StartAsync();

        using var response = await Http.GetAsync(AuthorizeUrl(), Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<form id=\"consent\" method=\"post\" action=\"/v3/oauth/authorize/consent\">", html, StringComparison.Ordinal);
        Assert.Contains("name=\"user\" value=\"alice\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"user\" value=\"bob\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"decision\" value=\"allow\">Allow</button>", html, StringComparison.Ordinal);
        Assert.Contains("name=\"decision\" value=\"deny\">Deny</button>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_redirects_with_a_code_and_the_state()
    {
        await StartAsync();

        var location = await Emulator.ConsentAsync(AuthorizeUrl(), "bob", cancellationToken: Ct);

        var query = QueryOf(location);
        Assert.StartsWith(RedirectUri + "?", location.ToString(), StringComparison.Ordinal);
        Assert.Equal("xyz", query["state"]);
        Assert.Contains(query["code"], Emulator.IssuedSecrets);
    }

    [Fact]
    public async Task Allow_without_state_redirects_without_state()
    {
        await StartAsync();

        var location = await Emulator.ConsentAsync(AuthorizeUrl(("state", null)), cancellationToken: Ct);

        Assert.Equal(["code"], QueryOf(location).Keys);
    }

    [Fact]
    public async Task Deny_redirects_with_access_denied_and_the_state()
    {
        await StartAsync();

        var location = await Emulator.ConsentAsync(AuthorizeUrl(), allow: false, cancellationToken: Ct);

        var query = QueryOf(location);
        Assert.Equal("access_denied", query["error"]);
        Assert.Equal("The user has refused access.", query["error_description"]);
        Assert.Equal("xyz", query["state"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task ConsentAsync_throws_with_the_page_error_for_an_error_page()
    {
        await StartAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Emulator.ConsentAsync(AuthorizeUrl(("client_id", "nobody")), cancellationToken: Ct));

        Assert.Contains("not a registered client", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsentAsync_throws_for_an_unknown_user()
    {
        await StartAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Emulator.ConsentAsync(AuthorizeUrl(), "mallory", cancellationToken: Ct));
    }

    [Fact]
    public async Task A_consent_form_can_be_answered_only_once()
    {
        await StartAsync();
        using var page = await Http.GetAsync(AuthorizeUrl(), Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        var requestId = System.Text.RegularExpressions.Regex.Match(html, "name=\"request_id\" value=\"([^\"]+)\"").Groups[1].Value;
        var consentUrl = new Uri(Emulator.BaseAddress, "oauth/authorize/consent");
        var fields = new Dictionary<string, string> { ["request_id"] = requestId, ["user"] = "alice", ["decision"] = "allow" };

        using var first = await Http.PostAsync(consentUrl, new FormUrlEncodedContent(fields), Ct);
        using var second = await Http.PostAsync(consentUrl, new FormUrlEncodedContent(fields), Ct);

        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
    }

    [Fact]
    public async Task A_disabled_user_cannot_consent()
    {
        await StartAsync(o => o.Users[1].Disabled = true);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Emulator.ConsentAsync(AuthorizeUrl(), "bob", cancellationToken: Ct));
    }
}
