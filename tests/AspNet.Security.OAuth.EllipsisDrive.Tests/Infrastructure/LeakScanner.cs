using AspNet.Security.OAuth.EllipsisDrive.Emulator;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;

/// <summary>
/// Looks for secrets where they must never be: the application's log records, and every header and body the
/// application sent to a browser, except the <c>Location</c> of the redirect to the provider (which carries
/// <c>state</c> by design).
/// </summary>
/// <remarks>
/// The secrets are everything the emulator issued (codes, access and refresh tokens), the client secret, and
/// what crossed the wire to the emulator: each <c>state</c> and <c>code_challenge</c> the application sent and
/// each <c>code_verifier</c>. <c>Microsoft.AspNetCore.Hosting.Diagnostics</c> is not scanned: it logs every
/// request URL, so the provider's own callback query, at Information level, which applications govern with
/// their log levels, not this handler.
/// </remarks>
public sealed class LeakScanner
{
    internal const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private readonly EllipsisDriveTestHost _host;
    private readonly IReadOnlyList<BrowserClient> _browsers;

    internal LeakScanner(EllipsisDriveTestHost host, IReadOnlyList<BrowserClient> browsers)
    {
        _host = host;
        _browsers = browsers;
    }

    /// <summary>Gets the secrets scanned for, each with what it is.</summary>
    /// <returns>Secret values and their kinds.</returns>
    public IReadOnlyList<(string Kind, string Value)> Secrets()
    {
        var secrets = new List<(string Kind, string Value)> { ("client secret", EllipsisDriveTestHost.ClientSecret) };
        secrets.AddRange(_host.Emulator.IssuedSecrets.Select(s => ("issued code or token", s)));
        foreach (var request in _host.Emulator.Requests)
        {
            if (request.Endpoint == EmulatorEndpoint.Authorize)
            {
                AddParameter(secrets, request.Query, "state");
            }
            else if (request.Endpoint == EmulatorEndpoint.TokenAuthorizationCode)
            {
                AddParameter(secrets, request.Parameters, "code_verifier");
            }
        }

        return secrets;
    }

    /// <summary>Finds every place a secret appears.</summary>
    /// <returns>One line per hit: where, and what kind of secret (never the secret itself).</returns>
    public IReadOnlyList<string> Scan()
    {
        var secrets = Secrets();
        var hits = new List<string>();

        foreach (var record in _host.Logs.GetSnapshot())
        {
            if (record.Category == HostingDiagnosticsCategory)
            {
                continue;
            }

            var text = string.Join('\n', [
                record.Message,
                record.Exception?.ToString() ?? string.Empty,
                .. (record.StructuredState ?? []).Select(p => p.Value ?? string.Empty)]);
            hits.AddRange(Find(secrets, text, $"log {record.Category} [{record.Id}] {record.Level}"));
        }

        foreach (var browser in _browsers)
        {
            foreach (var response in browser.Responses)
            {
                foreach (var (name, value) in response.Headers)
                {
                    if (name.Equals("Location", StringComparison.OrdinalIgnoreCase) && IsProviderRedirect(value))
                    {
                        continue;
                    }

                    hits.AddRange(Find(secrets, value, $"header {name} of {response.RequestUri.AbsolutePath}"));
                }

                hits.AddRange(Find(secrets, response.Body, $"body of {response.RequestUri.AbsolutePath}"));
            }
        }

        return hits;
    }

    /// <summary>Asserts that <see cref="Scan"/> finds nothing, and that there was something to look for.</summary>
    public void AssertNoLeaks()
    {
        Assert.NotEmpty(Secrets());
        var hits = Scan();
        Assert.True(hits.Count == 0, "Secrets leaked:\n" + string.Join('\n', hits));
    }

    private bool IsProviderRedirect(string location) =>
        location.StartsWith(_host.Emulator.BaseAddress.AbsoluteUri, StringComparison.Ordinal);

    private static IEnumerable<string> Find(IReadOnlyList<(string Kind, string Value)> secrets, string text, string where) =>
        secrets.Where(s => s.Value.Length > 0 && text.Contains(s.Value, StringComparison.Ordinal)).Select(s => $"{s.Kind} in {where}");

    private static void AddParameter(List<(string Kind, string Value)> secrets, IReadOnlyDictionary<string, string> parameters, string name)
    {
        if (parameters.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value))
        {
            secrets.Add((name, value));
        }
    }
}
