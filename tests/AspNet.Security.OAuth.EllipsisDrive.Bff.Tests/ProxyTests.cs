using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AspNet.Security.OAuth.EllipsisDrive.Bff.Tests;

/// <summary>
/// The API proxy's rules, asserted on what crossed the wire: what reaches the API (the fake, or the emulator) and what
/// comes back to the browser.
/// </summary>
public sealed class ProxyTests : IAsyncLifetime
{
    private EllipsisDriveEmulator _drive = null!;
    private readonly List<IAsyncDisposable> _hosts = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _drive = await EllipsisDriveEmulator.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        await _drive.DisposeAsync();
    }

    [Fact]
    public async Task Forwards_an_allowed_get_with_its_path_and_query_and_the_users_token_set_on_the_server()
    {
        var (host, api) = await StartWithFakeApiAsync();
        await host.SignInAsync();

        using var request = BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account/root/myDrive?pageSize=4&type=%5B%22folder%22%5D");
        using var response = await host.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(api.Requests);
        Assert.Equal("GET", received.Method);
        Assert.Equal("/v3/account/root/myDrive", received.Path);
        Assert.Equal("?pageSize=4&type=%5B%22folder%22%5D", received.Query);
        Assert.StartsWith("Bearer ", received.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains(received.Headers["Authorization"]["Bearer ".Length..], _drive.IssuedSecrets);
    }

    [Fact]
    public async Task Cookies_the_callers_authorization_and_browser_headers_are_not_sent_to_the_api()
    {
        var (host, api) = await StartWithFakeApiAsync();
        await host.SignInAsync();

        using var request = BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "from-the-browser");
        request.Headers.Add("Origin", host.BaseAddress.GetLeftPart(UriPartial.Authority));
        request.Headers.Add("Referer", host.BaseAddress.AbsoluteUri + "secret-page");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Custom", "anything");
        request.Headers.Add("Accept-Language", "nl");
        request.Headers.Connection.Add("X-Hop");
        request.Headers.Add("X-Hop", "hop");
        using var response = await host.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(api.Requests);
        Assert.NotEmpty(host.Cookies.GetCookies(host.BaseAddress));
        foreach (var name in new[] { "Cookie", "Origin", "Referer", "X-CSRF", "Sec-Fetch-Site", "Sec-Fetch-Mode", "X-Forwarded-For", "X-Custom", "X-Hop" })
        {
            Assert.False(received.Headers.ContainsKey(name), $"{name} reached the API.");
        }

        Assert.DoesNotContain("from-the-browser", received.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal("nl", received.Headers["Accept-Language"]);
        Assert.Equal(new Uri(api.BaseAddress, "/").Authority, received.Headers["Host"]);
    }

    [Fact]
    public async Task The_apis_cookies_challenge_and_other_headers_are_not_passed_back()
    {
        var (host, _) = await StartWithFakeApiAsync(api => api.MapGet("/account", (HttpContext context) =>
        {
            context.Response.Headers.SetCookie = "api-session=abc; Path=/";
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"api\"";
            context.Response.Headers.AccessControlAllowOrigin = "*";
            context.Response.Headers.Authorization = "Bearer echoed";
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers["X-Api-Internal"] = "node-7";
            return Results.Json(new { username = "alice" });
        }));
        await host.SignInAsync();

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Authorization"));
        Assert.False(response.Headers.Contains("X-Api-Internal"));
        Assert.Equal("\"v1\"", response.Headers.ETag?.Tag);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("{\"username\":\"alice\"}", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData("/api/ellipsis/settings/account")]
    [InlineData("/api/ellipsis/account/root")]
    [InlineData("/api/ellipsis/account/root/myDrive/extra")]
    [InlineData("/api/ellipsis/path/a/b")]
    [InlineData("/api/ellipsis/account/root/..%2F..%2Fsettings")]
    [InlineData("/api/ellipsis/path/a%2F..%2F..%2Fsettings")]
    [InlineData("/api/ellipsis/path/a%5C..%5Csettings")]
    [InlineData("/api/ellipsis/Account")]
    [InlineData("/api/ellipsis")]
    [InlineData("/api/ellipsis/")]
    public async Task A_path_outside_the_allow_list_gets_404_and_never_reaches_the_api(string path)
    {
        var (host, api) = await StartWithFakeApiAsync();
        await host.SignInAsync();

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task A_configured_allow_list_replaces_the_default()
    {
        var (host, api) = await StartWithFakeApiAsync(configure: options =>
        {
            options.ApiPaths.Clear();
            options.ApiPaths.Add("path/*/folder/**");
        });
        await host.SignInAsync();

        using var allowed = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/path/p1/folder/list"));
        using var defaultPath = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account"));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, defaultPath.StatusCode);
        Assert.Equal("/v3/path/p1/folder/list", Assert.Single(api.Requests).Path);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task The_proxy_is_read_only_by_default(string method)
    {
        var (host, api) = await StartWithFakeApiAsync();
        await host.SignInAsync();

        using var request = BffTestHost.Fetch(new HttpMethod(method), "/api/ellipsis/account");
        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await host.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow.Order());
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Head_is_forwarded_as_head()
    {
        var (host, api) = await StartWithFakeApiAsync();
        await host.SignInAsync();

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Head, "/api/ellipsis/account"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("HEAD", Assert.Single(api.Requests).Method);
    }

    [Fact]
    public async Task A_configured_method_is_forwarded_with_its_body()
    {
        var (host, api) = await StartWithFakeApiAsync(configure: options => options.ApiMethods.Add("POST"));
        await host.SignInAsync();

        using var request = BffTestHost.Fetch(HttpMethod.Post, "/api/ellipsis/path/p1");
        request.Content = new StringContent("{\"name\":\"new\"}", Encoding.UTF8, "application/json");
        using var response = await host.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(api.Requests);
        Assert.Equal("POST", received.Method);
        Assert.Equal("{\"name\":\"new\"}", received.Body);
        Assert.StartsWith("application/json", received.Headers["Content-Type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_anonymous_call_gets_401_json_and_no_redirect()
    {
        var (host, api) = await StartWithFakeApiAsync();

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account/root/myDrive"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(EllipsisDriveDefaults.AuthenticationScheme, Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task A_call_without_the_csrf_header_gets_403_json_and_never_reaches_the_api()
    {
        var (host, api) = await StartWithFakeApiAsync();
        await host.SignInAsync();

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account", csrf: false));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-CSRF", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task A_wrong_csrf_header_value_gets_403()
    {
        var (host, api) = await StartWithFakeApiAsync();
        await host.SignInAsync();

        using var request = BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account", csrf: false);
        request.Headers.Add("X-CSRF", "0");
        using var response = await host.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(api.Requests);
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    [InlineData("none")]
    public async Task A_call_from_another_origin_gets_403_even_with_the_csrf_header(string site)
    {
        var (host, api) = await StartWithFakeApiAsync();
        await host.SignInAsync();

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account", site: site));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Empty(api.Requests);
    }

    [Theory]
    [InlineData("http://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("null", HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.OK)]
    public async Task Without_sec_fetch_site_the_origin_header_is_checked(string? origin, HttpStatusCode expected)
    {
        var (host, _) = await StartWithFakeApiAsync();
        await host.SignInAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ellipsis/account");
        request.Headers.Add("X-CSRF", "1");
        request.Headers.Add("Origin", origin ?? host.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var response = await host.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task The_response_streams_its_first_bytes_reach_the_browser_before_the_api_has_finished_sending()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var apiFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (host, _) = await StartWithFakeApiAsync(api => api.MapGet("/path/{id}", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(new byte[64 * 1024].AsMemory(), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.Body.WriteAsync(new byte[64 * 1024].AsMemory(), context.RequestAborted);
            apiFinished.SetResult();
        }));
        await host.SignInAsync();

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/path/big"), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync(Cancel);
        var first = new byte[64 * 1024];
        // A proxy that buffered the whole body would wait for the release that only comes after this read: fail, not hang.
        await body.ReadExactlyAsync(first, Cancel).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Cancel);

        Assert.False(apiFinished.Task.IsCompleted, "The first 64 KiB arrived only after the API had sent everything.");
        release.SetResult();
        var rest = new MemoryStream();
        await body.CopyToAsync(rest, Cancel);
        Assert.Equal(64 * 1024, rest.Length);
        Assert.True(apiFinished.Task.IsCompleted);
    }

    [Fact]
    public async Task A_large_response_goes_through_without_being_held_in_memory()
    {
        const int ChunkSize = 1024 * 1024;
        const int Chunks = 64;
        var (host, _) = await StartWithFakeApiAsync(api => api.MapGet("/path/{id}", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = (long)ChunkSize * Chunks;
            var chunk = new byte[ChunkSize];
            for (var i = 0; i < Chunks; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        }));
        await host.SignInAsync();

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/path/huge"), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync(Cancel);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, Cancel)) > 0)
        {
            total += read;
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.Equal((long)ChunkSize * Chunks, total);
        // The API, the proxy and this client share the process: a proxy that buffered the body whole would allocate at least
        // its 64 MiB (the fake's own chunk is allocated before the measure starts reading only if the fake ran first).
        Assert.True(allocated < (long)ChunkSize * Chunks / 2, $"{allocated / 1024 / 1024} MiB were allocated while 64 MiB went through the proxy.");
    }

    [Fact]
    public async Task The_request_body_streams_to_the_api_before_the_browser_has_finished_sending_it()
    {
        var firstBytesArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (host, _) = await StartWithFakeApiAsync(
            api => api.MapPost("/path/{id}", async (HttpContext context) =>
            {
                var buffer = new byte[16];
                await context.Request.Body.ReadExactlyAsync(buffer, context.RequestAborted);
                firstBytesArrived.SetResult();
                var rest = new MemoryStream();
                await context.Request.Body.CopyToAsync(rest, context.RequestAborted);
                return Results.Json(new { received = buffer.Length + rest.Length });
            }),
            options => options.ApiMethods.Add("POST"));
        await host.SignInAsync();

        var upload = new System.IO.Pipelines.Pipe();
        using var request = BffTestHost.Fetch(HttpMethod.Post, "/api/ellipsis/path/upload");
        request.Content = new StreamContent(upload.Reader.AsStream());
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var sending = host.SendAsync(request);
        // More than the HTTP stacks' write buffers hold, so the bytes must move on before the body is complete.
        await upload.Writer.WriteAsync(new byte[1024 * 1024], Cancel);

        await firstBytesArrived.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        Assert.False(sending.IsCompleted);
        await upload.Writer.WriteAsync(new byte[1000], Cancel);
        await upload.Writer.CompleteAsync();
        using var response = await sending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"received\":1049576}", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task On_a_401_from_the_api_the_token_is_refreshed_once_and_the_call_sent_again()
    {
        var host = await StartAsync(new BffTestHost.Options());
        await host.SignInAsync();
        _drive.ExpireAccessTokens();

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account/root/myDrive"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"result\"", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(1, _drive.CountRequests(EmulatorEndpoint.TokenRefresh));
        Assert.Equal(2, _drive.CountRequests(EmulatorEndpoint.ListRoot));
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task A_small_body_is_sent_again_with_the_new_token_after_a_401()
    {
        var tokensSeen = new List<string>();
        var (host, api) = await StartWithFakeApiAsync(
            api => api.MapPost("/path/{id}", (HttpContext context) =>
            {
                var authorization = context.Request.Headers.Authorization.ToString();
                lock (tokensSeen)
                {
                    tokensSeen.Add(authorization);
                    return tokensSeen.Count == 1 ? Results.StatusCode(401) : Results.Json(new { ok = true });
                }
            }),
            options => options.ApiMethods.Add("POST"));
        await host.SignInAsync();

        using var request = BffTestHost.Fetch(HttpMethod.Post, "/api/ellipsis/path/p1");
        request.Content = new StringContent("{\"name\":\"again\"}", Encoding.UTF8, "application/json");
        using var response = await host.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _drive.CountRequests(EmulatorEndpoint.TokenRefresh));
        Assert.Equal(["{\"name\":\"again\"}", "{\"name\":\"again\"}"], api.Requests.Select(r => r.Body));
        Assert.Equal(2, tokensSeen.Distinct().Count());
    }

    [Fact]
    public async Task A_streamed_body_is_not_sent_twice_the_401_goes_back_with_the_apps_challenge()
    {
        var (host, api) = await StartWithFakeApiAsync(
            api => api.MapPost("/path/{id}", async (HttpContext context) =>
            {
                await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return Results.Json(new { message = "Invalid token." }, statusCode: 401);
            }),
            options => options.ApiMethods.Add("POST"));
        await host.SignInAsync();

        using var request = BffTestHost.Fetch(HttpMethod.Post, "/api/ellipsis/path/p1");
        request.Content = new StreamContent(new MemoryStream(new byte[100])); // no length: chunked
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(EllipsisDriveDefaults.AuthenticationScheme, Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Single(api.Requests);
        Assert.Equal(0, _drive.CountRequests(EmulatorEndpoint.TokenRefresh));
    }

    [Fact]
    public async Task A_second_401_after_the_refresh_goes_back_without_the_apis_bearer_challenge()
    {
        var (host, api) = await StartWithFakeApiAsync(api => api.MapGet("/account", (HttpContext context) =>
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Results.Json(new { message = "Invalid token." }, statusCode: 401);
        }));
        await host.SignInAsync();

        using var response = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(EllipsisDriveDefaults.AuthenticationScheme, Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(2, api.Requests.Count);
        Assert.Equal(1, _drive.CountRequests(EmulatorEndpoint.TokenRefresh));
    }

    [Fact]
    public async Task A_websocket_upgrade_is_not_forwarded()
    {
        var (host, api) = await StartWithFakeApiAsync();
        await host.SignInAsync();

        using var request = BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account");
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        using var response = await host.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task No_token_reaches_the_browser_or_the_log()
    {
        var host = await StartAsync(new BffTestHost.Options());
        await host.SignInAsync();
        _drive.ExpireAccessTokens();

        using var listing = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account/root/myDrive"));
        using var account = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/api/ellipsis/account"));
        using var user = await host.SendAsync(BffTestHost.Fetch(HttpMethod.Get, "/bff/user"));
        var answers = new List<string>();
        foreach (var response in new[] { listing, account, user })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync(Cancel));
            answers.AddRange(response.Headers.Concat(response.Content.Headers).SelectMany(h => h.Value));
        }

        var secrets = _drive.IssuedSecrets.Append(BffTestHost.ClientSecret).ToList();
        Assert.True(secrets.Count >= 4); // the code, two access tokens, a refresh token, the client secret
        var logs = host.Logs.GetSnapshot();
        Assert.NotEmpty(logs);
        foreach (var secret in secrets)
        {
            // Counted, not shown: a failure must not print the secret it found.
            Assert.Equal(0, answers.Count(answer => answer.Contains(secret, StringComparison.Ordinal)));
            Assert.Equal(0, logs.Count(record => record.Message.Contains(secret, StringComparison.Ordinal)));
        }
    }

    private async Task<(BffTestHost Host, FakeApi Api)> StartWithFakeApiAsync(
        Action<IEndpointRouteBuilder>? map = null,
        Action<EllipsisDriveBffOptions>? configure = null)
    {
        var api = await FakeApi.StartAsync(map);
        _hosts.Add(api);
        var host = await StartAsync(new BffTestHost.Options { Api = api, Configure = configure });
        return (host, api);
    }

    private async Task<BffTestHost> StartAsync(BffTestHost.Options options)
    {
        var host = await BffTestHost.StartAsync(_drive, options);
        _hosts.Add(host);
        return host;
    }
}
