using System.Net;
using System.Text.Json;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;

/// <summary>Assertions and reads shared by the integration tests.</summary>
public static class TestHostExtensions
{
    /// <summary>The cookie authentication handler's cookie name.</summary>
    public const string AuthCookieName = ".AspNetCore.Cookies";

    /// <summary>Reads <c>/me</c>: the signed-in user's claims as (type, value) pairs; empty when anonymous.</summary>
    /// <param name="browser">The browser.</param>
    /// <returns>The claims.</returns>
    public static async Task<IReadOnlyList<(string Type, string Value)>> GetClaimsAsync(this BrowserClient browser)
    {
        using var response = await browser.GetAsync("/me");
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return [];
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return [.. document.RootElement.GetProperty("claims").EnumerateArray()
            .Select(c => (c.GetProperty("type").GetString()!, c.GetProperty("value").GetString()!))];
    }

    /// <summary>Reads <c>/tokens</c>: the names of the saved tokens and <c>expires_at</c>; <see langword="null"/> when anonymous.</summary>
    /// <param name="browser">The browser.</param>
    /// <returns>The token names and the expiry, or <see langword="null"/>.</returns>
    public static async Task<(IReadOnlyList<string> Names, string? ExpiresAt)?> GetTokenNamesAsync(this BrowserClient browser)
    {
        using var response = await browser.GetAsync("/tokens");
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return null;
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var root = document.RootElement;
        return ([.. root.GetProperty("names").EnumerateArray().Select(n => n.GetString()!)],
            root.GetProperty("expiresAt").ValueKind == JsonValueKind.String ? root.GetProperty("expiresAt").GetString() : null);
    }

    /// <summary>Asserts a callback ended as a clean remote failure: 400 from <c>OnRemoteFailure</c>, no sign-in, no tokens.</summary>
    /// <param name="host">The host.</param>
    /// <param name="callback">The callback's response.</param>
    /// <param name="browser">The browser; <see langword="null"/> for the host's default one.</param>
    /// <returns>The failure <c>OnRemoteFailure</c> saw.</returns>
    public static async Task<Exception> AssertRemoteFailureAsync(this EllipsisDriveTestHost host, HttpResponseMessage callback, BrowserClient? browser = null)
    {
        browser ??= host.Browser;
        Assert.Equal(HttpStatusCode.BadRequest, callback.StatusCode);
        var failure = Assert.Single(host.Failures);
        Assert.Equal(failure.Message, await callback.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.DoesNotContain(browser.CookiesFor("/"), c => c.Name.StartsWith(AuthCookieName, StringComparison.Ordinal));
        Assert.Null(await browser.GetTokenNamesAsync());
        return failure;
    }

    /// <summary>Asserts that no state cookie is left in the browser for the callback path.</summary>
    /// <param name="browser">The browser.</param>
    public static void AssertNoStateCookie(this BrowserClient browser) =>
        Assert.DoesNotContain(browser.CookiesFor(EllipsisDriveDefaults.CallbackPath), c => c.Name.StartsWith(EllipsisDriveState.CookiePrefix, StringComparison.Ordinal));

    /// <summary>The one authorization-code token request the emulator received.</summary>
    /// <param name="emulator">The emulator.</param>
    /// <returns>The recorded request.</returns>
    public static RecordedRequest TokenRequest(this EllipsisDriveEmulator emulator) =>
        Assert.Single(emulator.Requests, r => r.Endpoint == EmulatorEndpoint.TokenAuthorizationCode);

    /// <summary>Replaces the next answer of <c>/account</c> with <paramref name="json"/> (HTTP 200).</summary>
    /// <param name="emulator">The emulator.</param>
    /// <param name="json">The account body.</param>
    public static void AnswerAccount(this EllipsisDriveEmulator emulator, string json) =>
        emulator.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 200, Body = json });

    /// <summary>The query parameters of a URL (first value of each).</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The parameters.</returns>
    public static Dictionary<string, string> QueryOf(Uri url) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
}
