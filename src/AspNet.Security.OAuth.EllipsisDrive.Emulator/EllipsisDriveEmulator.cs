using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

/// <summary>
/// A strict, in-process Ellipsis Drive: OAuth 2.0 authorization (with a consent page), token endpoint and a
/// read-only slice of the API, served by Kestrel on <c>127.0.0.1</c>. It accepts only what Ellipsis Drive's
/// documentation promises, records every request, and plays injected faults.
/// </summary>
public sealed partial class EllipsisDriveEmulator : IAsyncDisposable
{
    private const string BodyItemKey = "EllipsisDriveEmulator.Body";

    private readonly WebApplication _app;
    private readonly EmulatorState _state;
    private readonly HttpClient _consentClient;
    private int _disposed;

    private EllipsisDriveEmulator(WebApplication app, EmulatorState state, Uri baseAddress)
    {
        _app = app;
        _state = state;
        BaseAddress = baseAddress;
        _consentClient = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false });
    }

    /// <summary>Gets the API base address, e.g. <c>http://127.0.0.1:41234/v3/</c>; it always ends with <c>/v3/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the live options: changes apply to the next request.</summary>
    public EllipsisDriveEmulatorOptions Options => _state.Options;

    /// <summary>Gets the seeded users.</summary>
    public IReadOnlyList<EmulatorUser> Users => _state.Users;

    /// <summary>Gets a snapshot of every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _state.SnapshotRequests();

    /// <summary>
    /// Gets every authorization code, access token and refresh token issued so far, so tests can scan logs,
    /// pages and cookies for leaks.
    /// </summary>
    public IReadOnlyCollection<string> IssuedSecrets => _state.IssuedSecrets;

    /// <summary>Starts an emulator on a loopback port.</summary>
    /// <param name="options">The settings; <see langword="null"/> uses the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started emulator; dispose it to stop it.</returns>
    public static async Task<EllipsisDriveEmulator> StartAsync(EllipsisDriveEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EllipsisDriveEmulatorOptions();
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, IPEndPoint.MaxPort);

        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<EllipsisDriveEmulator>();
        var state = new EmulatorState(options, logger);

        // The empty builder reads no configuration files, so a host app's appsettings (Kestrel endpoints,
        // logging) cannot leak into the emulator.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EllipsisDriveEmulator).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        if (options.LoggerFactory is { } loggerFactory)
        {
            // The emulator's own lines at any level; the framework's (Kestrel's "Now listening on", hosting's request
            // lines, which carry the authorize URL with its state) only from Warning, so the host app's log stays its own.
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.Logging.AddFilter("System", LogLevel.Warning);
        }

        var app = builder.Build();
        app.UseRouting();
        app.Use((context, next) => RecordAndInjectAsync(context, next, state));
        MapEndpoints(app, state);

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var emulator = new EllipsisDriveEmulator(app, state, new Uri(address.TrimEnd('/') + "/v3/"));
        Log.Started(logger, emulator.BaseAddress);
        return emulator;
    }

    /// <summary>Registers an OAuth client, or replaces the registration with the same id.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="clientSecret">The client secret.</param>
    /// <param name="redirectUris">The registered redirect URIs, matched exactly.</param>
    /// <returns>The registration; its <see cref="EmulatorClient.RedirectUris"/> may be changed later.</returns>
    public EmulatorClient RegisterClient(string clientId, string clientSecret, params string[] redirectUris)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);
        ArgumentNullException.ThrowIfNull(redirectUris);
        var client = new EmulatorClient(clientId, clientSecret, redirectUris);
        _state.Clients[clientId] = client;
        return client;
    }

    /// <summary>Forgets every recorded request.</summary>
    public void ClearRequests() => _state.ClearRequests();

    /// <summary>Counts the recorded requests to one endpoint.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>The number of recorded requests addressed to <paramref name="endpoint"/>.</returns>
    public int CountRequests(EmulatorEndpoint endpoint) => _state.CountRequests(endpoint);

    /// <summary>
    /// Queues a fault for an endpoint. Faults of one endpoint apply in the order they were injected; each applies
    /// to <see cref="EmulatorFault.Times"/> requests (zero or negative: until <see cref="ClearFaults"/>).
    /// </summary>
    /// <param name="endpoint">The endpoint to fail.</param>
    /// <param name="fault">The fault.</param>
    public void InjectFault(EmulatorEndpoint endpoint, EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        _state.AddFault(endpoint, fault);
    }

    /// <summary>Removes every queued fault.</summary>
    public void ClearFaults() => _state.ClearFaults();

    /// <summary>Makes every access token issued so far invalid, as if it had expired now.</summary>
    public void ExpireAccessTokens()
    {
        foreach (var grant in _state.AccessTokens.Values)
        {
            grant.Expire();
        }
    }

    /// <summary>
    /// Plays the user's part of a sign-in over real HTTP, as a browser would: opens the authorization URL, reads
    /// the consent form, and submits the choice.
    /// </summary>
    /// <param name="authorizationUrl">The authorization URL a client redirected the browser to.</param>
    /// <param name="userName">The user to sign in as.</param>
    /// <param name="allow"><see langword="true"/> to press Allow, <see langword="false"/> to press Deny.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>
    /// The redirect location: <c>redirect_uri?code=...&amp;state=...</c>, or an error redirect such as
    /// <c>?error=access_denied</c> (also when the authorization request itself was redirected with an error).
    /// </returns>
    /// <exception cref="InvalidOperationException">The emulator answered an error page, or the user is not offered.</exception>
    public async Task<Uri> ConsentAsync(Uri authorizationUrl, string userName = "alice", bool allow = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authorizationUrl);
        ArgumentException.ThrowIfNullOrEmpty(userName);

        using var page = await _consentClient.GetAsync(authorizationUrl, cancellationToken).ConfigureAwait(false);
        if (page.StatusCode == HttpStatusCode.Found)
        {
            return RedirectLocation(page, authorizationUrl);
        }

        var html = await page.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!page.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The emulator refused the authorization request ({(int)page.StatusCode}): {ErrorText(html)}");
        }

        var requestId = RequestIdPattern().Match(html);
        if (!requestId.Success)
        {
            throw new InvalidOperationException("The authorization URL did not answer the emulator's consent page.");
        }

        if (!html.Contains($"name=\"user\" value=\"{WebUtility.HtmlEncode(userName)}\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The consent page does not offer the user '{userName}'. Seeded users: {string.Join(", ", Users.Select(u => u.Username))}.");
        }

        var fields = new Dictionary<string, string>
        {
            ["request_id"] = WebUtility.HtmlDecode(requestId.Groups[1].Value),
            ["user"] = userName,
            ["decision"] = allow ? "allow" : "deny",
        };
        var consentUrl = new Uri(authorizationUrl, AuthorizeEndpoints.ConsentPath);
        using var content = new FormUrlEncodedContent(fields);
        using var answer = await _consentClient.PostAsync(consentUrl, content, cancellationToken).ConfigureAwait(false);
        if (answer.StatusCode != HttpStatusCode.Found)
        {
            var error = await answer.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"The emulator refused the consent ({(int)answer.StatusCode}): {ErrorText(error)}");
        }

        return RedirectLocation(answer, consentUrl);
    }

    /// <summary>Stops the emulator and releases its port.</summary>
    /// <returns>A task that completes when the emulator has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _state.Stopping.CancelAsync().ConfigureAwait(false);
        _consentClient.Dispose();
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _state.Stopping.Dispose();
    }

    private static void MapEndpoints(WebApplication app, EmulatorState state)
    {
        app.MapGet("/v3/oauth/authorize", context => AuthorizeEndpoints.AuthorizeAsync(context, state))
            .WithMetadata(new EndpointTag(EmulatorEndpoint.Authorize));
        app.MapPost(AuthorizeEndpoints.ConsentPath, context => AuthorizeEndpoints.ConsentAsync(context, state, Body(context)))
            .WithMetadata(new EndpointTag(EmulatorEndpoint.Consent));
        app.MapPost("/v3/oauth/token", context => TokenEndpoint.HandleAsync(context, state, Body(context)))
            .WithMetadata(new EndpointTag(null));
        app.MapGet("/v3/account", context => ApiEndpoints.AccountAsync(context, state))
            .WithMetadata(new EndpointTag(EmulatorEndpoint.Account));
        app.MapGet("/v3/account/root/{rootName}", context => ApiEndpoints.ListRootAsync(context, state, (string)context.Request.RouteValues["rootName"]!))
            .WithMetadata(new EndpointTag(EmulatorEndpoint.ListRoot));
        app.MapGet("/v3/path/{pathId}", context => ApiEndpoints.PathAsync(context, state, (string)context.Request.RouteValues["pathId"]!))
            .WithMetadata(new EndpointTag(EmulatorEndpoint.Path));
        app.MapGet("/v3/path/{pathId}/list", context => ApiEndpoints.ListFolderAsync(context, state, (string)context.Request.RouteValues["pathId"]!))
            .WithMetadata(new EndpointTag(EmulatorEndpoint.ListFolder));
        app.MapPost("/v3/validate", context => ApiEndpoints.ValidateAsync(context, state))
            .WithMetadata(new EndpointTag(EmulatorEndpoint.Validate));
    }

    private static async Task RecordAndInjectAsync(HttpContext context, RequestDelegate next, EmulatorState state)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        context.Items[BodyItemKey] = body;

        var tag = context.GetEndpoint()?.Metadata.GetMetadata<EndpointTag>();
        var endpoint = tag is null ? null : tag.Endpoint ?? TokenEndpointOf(request.ContentType, body);

        var headers = new Dictionary<string, string>(request.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(", ", values.ToArray());
        }

        state.Record(new RecordedRequest(
            state.Now,
            endpoint,
            request.Method,
            request.PathBase.Add(request.Path).ToString(),
            request.QueryString.ToString(),
            headers,
            body));

        if (endpoint is { } target && state.TakeFault(target) is { } fault)
        {
            Log.FaultInjected(state.Logger, target);
            if (await PlayFaultAsync(context, fault, state).ConfigureAwait(false))
            {
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>Plays a fault; returns <see langword="false"/> when the normal answer should follow (a delay-only fault).</summary>
    private static async Task<bool> PlayFaultAsync(HttpContext context, EmulatorFault fault, EmulatorState state)
    {
        if (fault.Delay > TimeSpan.Zero)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, state.Stopping.Token);
            try
            {
                await Task.Delay(fault.Delay, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
                return true;
            }
        }

        if (fault.DropConnection)
        {
            context.Abort();
            return true;
        }

        if (fault.StatusCode is null && fault.Body is null)
        {
            return false;
        }

        context.Response.StatusCode = fault.StatusCode ?? StatusCodes.Status500InternalServerError;

        // HTTP forbids a body on 204 and 304 (Kestrel throws, then closes a connection the client may already have
        // pooled): such a fault answers its status alone.
        if (fault.Body is not null && context.Response.StatusCode is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified))
        {
            context.Response.ContentType = fault.ContentType;
            await context.Response.WriteAsync(fault.Body, context.RequestAborted).ConfigureAwait(false);
        }

        return true;
    }

    private static EmulatorEndpoint? TokenEndpointOf(string? contentType, string body) =>
        TokenEndpoint.EndpointOf(RequestParser.ParseBody(contentType, body).GetValueOrDefault("grant_type"));

    private static string Body(HttpContext context) => (string)context.Items[BodyItemKey]!;

    private static Uri RedirectLocation(HttpResponseMessage response, Uri requestUri) =>
        response.Headers.Location is { } location
            ? (location.IsAbsoluteUri ? location : new Uri(requestUri, location))
            : throw new InvalidOperationException("The emulator answered a redirect without a Location header.");

    private static string ErrorText(string html)
    {
        var match = ErrorPattern().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : "(no error message)";
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"request_id\" value=\"([^\"]*)\">")]
    private static partial Regex RequestIdPattern();

    [GeneratedRegex("<p id=\"error\">([^<]*)</p>")]
    private static partial Regex ErrorPattern();

    private sealed record EndpointTag(EmulatorEndpoint? Endpoint);
}

/// <summary>Hands the emulator host's loggers to the logger factory the emulator was given.</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    // The factory belongs to whoever gave it.
    public void Dispose()
    {
    }
}
