using System.Net;
using System.Text.Json;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

public sealed class ApiTests : EmulatorTestBase
{
    [Fact]
    public async Task Account_without_a_token_is_401_with_a_message()
    {
        await StartAsync();

        using var response = await GetApiAsync("account", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await JsonAsync(response)).GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Account_with_an_unknown_token_is_401()
    {
        await StartAsync();

        using var response = await GetApiAsync("account", "not-a-token");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Account_answers_alice_with_email_name_and_plan()
    {
        await StartAsync();
        var alice = Emulator.Users.Single(u => u.Username == "alice");

        using var response = await GetApiAsync("account", await AccessTokenAsync());
        var account = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(alice.Id, account.GetProperty("id").GetString());
        Assert.True(Guid.TryParse(alice.Id, out _));
        Assert.Equal("alice", account.GetProperty("username").GetString());
        Assert.Equal(alice.Email, account.GetProperty("email").GetString());
        Assert.Equal(alice.Name, account.GetProperty("name").GetString());
        Assert.False(account.GetProperty("disabled").GetBoolean());
        Assert.Equal("pro", account.GetProperty("plan").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Account_of_bob_has_no_email_and_a_free_plan()
    {
        await StartAsync();

        using var response = await GetApiAsync("account", await AccessTokenAsync("bob"));
        var account = await JsonAsync(response);

        Assert.Equal("bob", account.GetProperty("username").GetString());
        Assert.False(account.TryGetProperty("email", out _));
        Assert.Equal("free", account.GetProperty("plan").GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_access_token_expires_after_its_lifetime()
    {
        await StartAsync(o => o.AccessTokenLifetime = TimeSpan.FromMinutes(5));
        var token = await AccessTokenAsync();

        Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        using var before = await GetApiAsync("account", token);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        using var after = await GetApiAsync("account", token);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task ExpireAccessTokens_makes_issued_tokens_401()
    {
        await StartAsync();
        var token = await AccessTokenAsync();

        Emulator.ExpireAccessTokens();
        using var response = await GetApiAsync("account", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Root_listing_pages_through_all_rasters_and_vectors()
    {
        await StartAsync();
        var token = await AccessTokenAsync();
        var names = new List<string>();
        var pages = 0;
        string? pageStart = null;

        do
        {
            var url = "account/root/myDrive?pageSize=2" + (pageStart is null ? string.Empty : "&pageStart=" + pageStart);
            using var response = await GetApiAsync(url, token);
            var page = await JsonAsync(response);
            var result = page.GetProperty("result").EnumerateArray().ToList();
            Assert.InRange(result.Count, 1, 2);
            Assert.All(result, item => Assert.Contains(item.GetProperty("type").GetString(), new[] { "raster", "vector" }));
            names.AddRange(result.Select(i => i.GetProperty("name").GetString()!));
            var next = page.GetProperty("nextPageStart");
            pageStart = next.ValueKind == JsonValueKind.Null ? null : next.GetString();
            pages++;
        }
        while (pageStart is not null);

        Assert.True(pages > 1);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains("Parcels", names);
        Assert.DoesNotContain("Old parcels", names);
    }

    [Fact]
    public async Task Root_listing_filters_by_type()
    {
        await StartAsync();

        using var response = await GetApiAsync("account/root/myDrive?type=" + Uri.EscapeDataString("[\"folder\"]"), await AccessTokenAsync());
        var result = (await JsonAsync(response)).GetProperty("result").EnumerateArray().ToList();

        Assert.NotEmpty(result);
        Assert.All(result, item => Assert.Equal("folder", item.GetProperty("type").GetString()));
    }

    [Theory]
    [InlineData("trash", "Old parcels")]
    [InlineData("favorites", "Parcels")]
    [InlineData("sharedWithMe", "Shared flood map of bob")]
    public async Task Other_roots_list_their_items(string root, string expected)
    {
        await StartAsync();

        using var response = await GetApiAsync($"account/root/{root}", await AccessTokenAsync());
        var names = (await JsonAsync(response)).GetProperty("result").EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToList();

        Assert.Contains(expected, names);
    }

    [Theory]
    [InlineData("account/root/everything")]
    [InlineData("account/root/myDrive?type=raster")]
    [InlineData("account/root/myDrive?type=%5B%22image%22%5D")]
    [InlineData("account/root/myDrive?pageSize=51")]
    [InlineData("account/root/myDrive?pageSize=0")]
    [InlineData("account/root/myDrive?pageStart=not-a-uuid")]
    public async Task Invalid_root_listing_is_400_with_a_message(string url)
    {
        await StartAsync();

        using var response = await GetApiAsync(url, await AccessTokenAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).TryGetProperty("message", out _));
    }

    [Fact]
    public async Task Path_answers_a_listed_item()
    {
        await StartAsync();
        var token = await AccessTokenAsync();
        using var list = await GetApiAsync("account/root/myDrive", token);
        var first = (await JsonAsync(list)).GetProperty("result")[0];

        using var response = await GetApiAsync("path/" + first.GetProperty("id").GetString(), token);
        var path = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(first.GetProperty("name").GetString(), path.GetProperty("name").GetString());
        Assert.Equal("alice", path.GetProperty("user").GetProperty("username").GetString());
        Assert.True(path.GetProperty("yourAccess").TryGetProperty("accessLevel", out _));
        Assert.True(path.TryGetProperty("trashed", out _));
        Assert.True(path.TryGetProperty("favorite", out _));
        Assert.True(path.TryGetProperty("metadata", out _));
    }

    [Fact]
    public async Task Unknown_path_is_404_with_a_message()
    {
        await StartAsync();

        using var response = await GetApiAsync("path/" + Guid.NewGuid(), await AccessTokenAsync());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True((await JsonAsync(response)).TryGetProperty("message", out _));
    }

    [Fact]
    public async Task Path_without_a_token_is_401()
    {
        await StartAsync();

        using var response = await GetApiAsync("path/" + Guid.NewGuid(), null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Validate_answers_true_for_a_live_token_and_false_otherwise()
    {
        await StartAsync();
        var token = await AccessTokenAsync();

        var valid = await ValidateAsync(token);
        var unknown = await ValidateAsync("nope");
        Emulator.ExpireAccessTokens();
        var expired = await ValidateAsync(token);

        Assert.True(valid);
        Assert.False(unknown);
        Assert.False(expired);
    }

    private async Task<bool> ValidateAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Emulator.BaseAddress, "validate"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("valid").GetBoolean();
    }
}
