using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

/// <summary>Starts an emulator per test with a fake clock and one registered client, and speaks its protocol over real HTTP.</summary>
public abstract class EmulatorTestBase : IAsyncDisposable
{
    protected const string ClientId = "test-client";
    protected const string ClientSecret = "test-secret";
    protected const string RedirectUri = "https://app.example/signin-ellipsisdrive";

    private EllipsisDriveEmulator? _emulator;

    protected EmulatorTestBase()
    {
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    protected HttpClient Http { get; }

    protected EllipsisDriveEmulator Emulator => _emulator ?? throw new InvalidOperationException("Call StartAsync first.");

    protected async Task<EllipsisDriveEmulator> StartAsync(Action<EllipsisDriveEmulatorOptions>? configure = null)
    {
        var options = new EllipsisDriveEmulatorOptions { TimeProvider = Time };
        configure?.Invoke(options);
        _emulator = await EllipsisDriveEmulator.StartAsync(options, Ct);
        _emulator.RegisterClient(ClientId, ClientSecret, RedirectUri);
        return _emulator;
    }

    protected Uri AuthorizeUrl(params (string Name, string? Value)[] overrides)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = ClientId,
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "projects",
            ["state"] = "xyz",
        };
        foreach (var (name, value) in overrides)
        {
            if (value is null)
            {
                parameters.Remove(name);
            }
            else
            {
                parameters[name] = value;
            }
        }

        return new Uri(QueryHelpers.AddQueryString(new Uri(Emulator.BaseAddress, "oauth/authorize").ToString(), parameters));
    }

    protected static Dictionary<string, string> QueryOf(Uri uri) =>
        QueryHelpers.ParseQuery(uri.Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    protected async Task<string> GetCodeAsync(params (string Name, string? Value)[] overrides)
    {
        var location = await Emulator.ConsentAsync(AuthorizeUrl(overrides), cancellationToken: Ct);
        return QueryOf(location)["code"];
    }

    protected Dictionary<string, string> CodeRequest(string code, bool withClientCredentials = true)
    {
        var parameters = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["authorization_code"] = code,
            ["redirect_uri"] = RedirectUri,
        };
        if (withClientCredentials)
        {
            parameters["client_id"] = ClientId;
            parameters["client_secret"] = ClientSecret;
        }

        return parameters;
    }

    protected static Dictionary<string, string> RefreshRequest(string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = refreshToken,
        ["client_id"] = ClientId,
        ["client_secret"] = ClientSecret,
    };

    protected Uri TokenUrl => new(Emulator.BaseAddress, "oauth/token");

    protected async Task<HttpResponseMessage> PostFormAsync(Dictionary<string, string> parameters, AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenUrl) { Content = new FormUrlEncodedContent(parameters) };
        request.Headers.Authorization = authorization;
        return await Http.SendAsync(request, Ct);
    }

    protected async Task<HttpResponseMessage> PostJsonAsync(Dictionary<string, string> parameters) =>
        await Http.PostAsJsonAsync(TokenUrl, parameters, Ct);

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    protected static async Task<string> ErrorOfAsync(HttpResponseMessage response) =>
        (await JsonAsync(response)).GetProperty("error").GetString()!;

    /// <summary>Signs alice in through the consent page and exchanges the code; answers the token response.</summary>
    protected async Task<JsonElement> SignInAsync(params (string Name, string? Value)[] overrides) =>
        await ExchangeAsync(await GetCodeAsync(overrides));

    /// <summary>Signs <paramref name="userName"/> in through the consent page and exchanges the code; answers the access token.</summary>
    protected async Task<string> AccessTokenAsync(string userName = "alice")
    {
        var code = QueryOf(await Emulator.ConsentAsync(AuthorizeUrl(), userName, cancellationToken: Ct))["code"];
        return (await ExchangeAsync(code)).GetProperty("access_token").GetString()!;
    }

    /// <summary>Signs alice in through the consent page and exchanges the code; answers the refresh token.</summary>
    protected async Task<string> RefreshTokenAsync() => (await SignInAsync()).GetProperty("refresh_token").GetString()!;

    protected async Task<HttpResponseMessage> GetApiAsync(string relative, string? accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Emulator.BaseAddress, relative));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return await Http.SendAsync(request, Ct);
    }

    private async Task<JsonElement> ExchangeAsync(string code)
    {
        using var response = await PostFormAsync(CodeRequest(code));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonAsync(response);
    }

    protected static string S256(string verifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
