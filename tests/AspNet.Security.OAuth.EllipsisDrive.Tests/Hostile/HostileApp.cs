using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// An <see cref="EllipsisDriveTestHost"/> seen from the attacker's side: raw requests, a count of every way a
/// callback can end (remote failure, access denied), the secrets of every challenge it started (state and PKCE
/// verifier, read back from the protected state cookie), and a leak scan over all of it.
/// </summary>
internal sealed class HostileApp : IAsyncDisposable
{
    private int _accessDenied;
    private readonly List<(string Kind, string Value)> _challengeSecrets = [];

    private HostileApp(EllipsisDriveTestHost host, RecordingDistributedCache cache)
    {
        Host = host;
        Cache = cache;
        Raw = new RawCallbackClient(host);
    }

    public EllipsisDriveTestHost Host { get; }

    public RawCallbackClient Raw { get; }

    /// <summary>Gets how many times <c>OnAccessDenied</c> ran.</summary>
    public int AccessDenied => Volatile.Read(ref _accessDenied);

    /// <summary>Gets how many times <c>OnRemoteFailure</c> ran.</summary>
    public int RemoteFailures => Host.Failures.Count;

    /// <summary>Gets every value the application wrote to its distributed cache (sessions, refresh successors).</summary>
    public RecordingDistributedCache Cache { get; }

    /// <summary>
    /// Starts an emulator and the application, with the token service and the <see cref="HostileEndpoints"/>;
    /// <paramref name="sessions"/> keeps tickets on the server (in a recording in-memory cache).
    /// </summary>
    /// <param name="configureOptions">Changes the handler's options.</param>
    /// <param name="sessions">Whether to add server-side sessions.</param>
    /// <param name="store">The cache the recording cache writes through to (for example Redis); <see langword="null"/> for memory.</param>
    /// <returns>The started application.</returns>
    public static async Task<HostileApp> StartAsync(Action<EllipsisDriveOptions>? configureOptions = null, bool sessions = false, IDistributedCache? store = null)
    {
        HostileApp? app = null;
        var cache = new RecordingDistributedCache(store);
        var host = await EllipsisDriveTestHost.StartAsync(
            options =>
            {
                var onAccessDenied = options.Events.OnAccessDenied;
                options.Events.OnAccessDenied = context =>
                {
                    Interlocked.Increment(ref app!._accessDenied);
                    return onAccessDenied(context);
                };
                configureOptions?.Invoke(options);
            },
            configureServices: services =>
            {
                services.AddEllipsisDriveTokens();
                if (sessions)
                {
                    services.AddEllipsisDriveSessions();
                }

                services.AddSingleton<IDistributedCache>(cache);
                services.AddSingleton<IStartupFilter, HostileEndpoints>();
            });
        app = new HostileApp(host, cache);
        return app;
    }

    /// <summary>Starts a sign-in with a raw request, as a fresh browser would; keeps its state and verifier as secrets.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The state sent to the provider and the cookies the application set for the callback.</returns>
    public async Task<Challenge> ChallengeAsync(CancellationToken cancellationToken)
    {
        var response = await Raw.SendAsync(HttpMethods.Get, "/challenge", "returnUrl=%2Fme", null, cancellationToken);
        Assert.Equal(StatusCodes.Status302Found, response.StatusCode);
        var authorizationUrl = new Uri(response.Location!);
        var state = TestHostExtensions.QueryOf(authorizationUrl)["state"];

        var cookies = response.SetCookies.ToList();
        var stateCookie = Assert.Single(cookies, c => c.Name.Value!.StartsWith(EllipsisDriveState.CookiePrefix, StringComparison.Ordinal));
        Assert.DoesNotContain(cookies, c => c.Name.Value!.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal)); // the state cookie correlates

        var verifier = ReadVerifier(stateCookie.Value.Value!);
        lock (_challengeSecrets)
        {
            _challengeSecrets.Add(("state", state));
            _challengeSecrets.Add(("code_verifier", verifier));
        }

        return new Challenge(
            authorizationUrl,
            state,
            stateCookie.Name.Value!,
            stateCookie.Value.Value!,
            verifier);
    }

    /// <summary>Every secret the application must never show: the emulator's issued codes and tokens, the client secret, states and verifiers.</summary>
    /// <returns>The secrets with their kinds.</returns>
    public IReadOnlyList<(string Kind, string Value)> Secrets()
    {
        var secrets = new List<(string Kind, string Value)>(Host.LeakScanner().Secrets());
        lock (_challengeSecrets)
        {
            secrets.AddRange(_challengeSecrets);
        }

        return secrets;
    }

    /// <summary>
    /// Looks for every secret in every log record and every raw response header and body except the provider
    /// redirect. The hosting diagnostics are left out, as <see cref="LeakScanner"/> does: they log each incoming
    /// request URL, so all they can hold is what the test itself sent (the callback's state and code), never
    /// anything the application produced.
    /// </summary>
    /// <param name="extraTexts">More places to look (for example session-store values), each with a name.</param>
    /// <returns>One line per hit, naming where and what kind, never the secret.</returns>
    public IReadOnlyList<string> ScanForLeaks(params (string Where, string Text)[] extraTexts)
    {
        var secrets = Secrets();
        var texts = new List<(string Where, string Text)>(extraTexts);
        texts.AddRange(Cache.Written.Select(w => ($"cache value {w.Key}", w.Text)));
        foreach (var record in Host.Logs.GetSnapshot())
        {
            if (record.Category == "Microsoft.AspNetCore.Hosting.Diagnostics")
            {
                continue;
            }

            texts.Add(($"log {record.Category} '{record.Id.Name}'", string.Join('\n', [
                record.Message,
                record.Exception?.ToString() ?? string.Empty,
                .. (record.StructuredState ?? []).Select(p => p.Value ?? string.Empty)])));
        }

        var provider = Host.Emulator.BaseAddress.AbsoluteUri;
        foreach (var response in Raw.Responses)
        {
            foreach (var (name, value) in response.Headers)
            {
                if (name.Equals("Location", StringComparison.OrdinalIgnoreCase) && value.StartsWith(provider, StringComparison.Ordinal))
                {
                    continue; // The redirect to the provider carries state and code_challenge by design.
                }

                texts.Add(($"header {name} of {response.Request}", value));
            }

            texts.Add(($"body of {response.Request}", response.Body));
        }

        return SecretFinder.Find(secrets, texts);
    }

    /// <summary>Log records at Error or above, or carrying an exception: each one is a failure the handler did not handle.</summary>
    /// <returns>The records, described.</returns>
    public IReadOnlyList<string> UnhandledErrors() =>
        [.. Host.Logs.GetSnapshot()
            .Where(r => r.Level >= LogLevel.Error || r.Exception is not null)
            .Select(r => $"{r.Level} {r.Category} '{r.Id.Name}': {Truncate(r.Message)} {r.Exception?.GetType().Name}")];

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    private string ReadVerifier(string cookieValue)
    {
        var options = Host.Services.GetRequiredService<IOptionsMonitor<EllipsisDriveOptions>>().Get(EllipsisDriveDefaults.AuthenticationScheme);
        var properties = options.StateDataFormat.Unprotect(cookieValue);
        Assert.NotNull(properties);
        return properties.Items[OAuthConstants.CodeVerifierKey]!;
    }

    private static string Truncate(string value) => value.Length <= 300 ? value : value[..300] + "…";

    /// <summary>A started sign-in.</summary>
    /// <param name="AuthorizationUrl">The URL the application redirected to.</param>
    /// <param name="State">The state sent to the provider.</param>
    /// <param name="StateCookieName">The state cookie's name.</param>
    /// <param name="StateCookieValue">The state cookie's (protected) value.</param>
    /// <param name="Verifier">The PKCE code verifier, read back from the state cookie.</param>
    internal sealed record Challenge(
        Uri AuthorizationUrl,
        string State,
        string StateCookieName,
        string StateCookieValue,
        string Verifier)
    {
        public string CookieHeader => $"{StateCookieName}={StateCookieValue}";
    }
}
