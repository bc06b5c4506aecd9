using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>samples/SpaApp in Chromium: the backend-for-frontend pattern end to end, and no token where script can read it.</summary>
public sealed class SpaTests(BrowserFixture browser, SpaSampleAppFixture app) : SpaBrowserTest(browser, app), IClassFixture<SpaSampleAppFixture>
{
    [Fact]
    public async Task Signs_in_shows_the_user_lists_my_drive_through_the_proxy_and_signs_out()
    {
        var listingsBefore = App.Drive.CountRequests(EmulatorEndpoint.ListRoot);

        await SignInAsync("alice");
        await Assertions.Expect(Page.Locator("#mode")).ToBeVisibleAsync();
        Assert.Equal(200, await ListMyDriveAsync());
        await Assertions.Expect(Page.Locator("#drive")).ToContainTextAsync("Projects (folder)");
        Assert.Equal(listingsBefore + 1, App.Drive.CountRequests(EmulatorEndpoint.ListRoot));
        Assert.Equal(App.Url("/"), Page.Url);

        await Page.ClickAsync("#sign-out");
        await Assertions.Expect(Page.Locator("#sign-in")).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("#drive .drive-item")).ToHaveCountAsync(0);

        // Signed out on the server, not only in the page.
        await Page.ReloadAsync();
        await Assertions.Expect(Page.Locator("#sign-in")).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("#signed-in")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Pressing_deny_at_ellipsis_drive_comes_back_to_the_spa_signed_out_with_a_message()
    {
        await Page.GotoAsync(App.Url("/"));
        await Page.ClickAsync("#sign-in");
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(App.Drive.BaseAddress.AbsoluteUri)));
        await Page.CheckAsync("form#consent input[name=user][value=alice]");
        await Page.ClickAsync("#deny");

        await Assertions.Expect(Page).ToHaveURLAsync(App.Url("/"));
        await Assertions.Expect(Page.Locator("#error")).ToHaveTextAsync("The sign-in with Ellipsis Drive was cancelled or failed.");
        await Assertions.Expect(Page.Locator("#sign-in")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_behind_the_proxy_without_leaving_the_page()
    {
        await SignInAsync("bob");
        var refreshesBefore = App.Drive.CountRequests(EmulatorEndpoint.TokenRefresh);
        var listingsBefore = App.Drive.CountRequests(EmulatorEndpoint.ListRoot);

        App.Drive.ExpireAccessTokens();
        var status = await ListMyDriveAsync();

        Assert.Equal(200, status);
        await Assertions.Expect(Page.Locator("#drive")).ToContainTextAsync("Projects (folder)");
        Assert.Equal(refreshesBefore + 1, App.Drive.CountRequests(EmulatorEndpoint.TokenRefresh));
        Assert.Equal(listingsBefore + 2, App.Drive.CountRequests(EmulatorEndpoint.ListRoot)); // the rejected call, then the retry
        Assert.Equal(App.Url("/"), Page.Url);
    }

    [Fact]
    public async Task No_token_code_or_secret_is_in_the_dom_storage_cookies_or_any_response_the_spa_receives()
    {
        await SignInAsync("alice");
        Assert.Equal(200, await ListMyDriveAsync());
        App.Drive.ExpireAccessTokens();
        Assert.Equal(200, await ListMyDriveAsync()); // a refresh: a second access token (and refresh token) now exist

        var secrets = App.Drive.IssuedSecrets.Append(App.ClientSecret).ToList();
        Assert.True(secrets.Count >= 5, "Expected a code, two access tokens, a refresh token and the client secret to look for.");

        var places = new List<(string Where, string Text)>
        {
            ("the DOM", await Page.EvaluateAsync<string>("() => document.documentElement.outerHTML")),
            ("storage and script-visible state", await Page.EvaluateAsync<string>(
                "() => JSON.stringify({ local: Object.entries(localStorage), session: Object.entries(sessionStorage), cookie: document.cookie, url: location.href, name: window.name })")),
        };
        foreach (var response in await ReceivedResponsesAsync())
        {
            var path = new Uri(response.Url).AbsolutePath;
            if (path != EllipsisDriveDefaults.CallbackPath)
            {
                // The callback's query carries the code by OAuth's design; it is spent at once, answered with a redirect to
                // the SPA, and never reaches script (location.href is checked above with the storage).
                places.Add(($"the URL of {path}", response.Url));
            }

            places.Add(($"the body of {path}", response.Body));
            places.Add(($"the headers of {path}", string.Join("\n", response.Headers.Select(h => h.Key + ": " + h.Value))));
        }

        Assert.Contains(places, p => p.Where.StartsWith("the body of /api/ellipsis/", StringComparison.Ordinal));
        Assert.Contains(places, p => p.Where == "the body of /bff/user");
        foreach (var (where, text) in places)
        {
            // Named by place, never printed: a failure must not show the secret it found.
            Assert.False(secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal)), $"A token, code or secret is in {where}.");
        }

        Assert.Equal(string.Empty, await Page.EvaluateAsync<string>("() => document.cookie"));
        var session = Assert.Single(await Context.CookiesAsync([App.BaseAddress.AbsoluteUri]), c => c.Name == "SpaApp.Session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);

        var logs = App.Logs.Lines.ToList();
        Assert.NotEmpty(logs);
        Assert.False(logs.Any(line => secrets.Any(secret => line.Contains(secret, StringComparison.Ordinal))), "The app logged a token, code or secret.");
    }
}
