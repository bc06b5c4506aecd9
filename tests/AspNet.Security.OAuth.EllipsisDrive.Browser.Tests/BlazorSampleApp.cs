extern alias BlazorSample;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// samples/BlazorApp on real Kestrel in emulator mode (see <see cref="EmulatorSampleApp{TEntryPoint, TSelf}"/>), with the
/// circuit's transport and prerendering as the test class asks.
/// </summary>
public sealed class BlazorSampleApp(IReadOnlyDictionary<string, string?> settings)
    : EmulatorSampleApp<BlazorSample::Program, BlazorSampleApp>(settings);

/// <summary>The Blazor sample for one test class: circuits over WebSockets or long polling, prerendered or not.</summary>
public abstract class BlazorSampleAppFixture(bool longPolling, bool prerender) : IAsyncLifetime
{
    public bool LongPolling => longPolling;

    public bool Prerender => prerender;

    public BlazorSampleApp App { get; } = new(new Dictionary<string, string?>
    {
        ["Blazor:Transport"] = longPolling ? "LongPolling" : string.Empty,
        ["Blazor:Prerender"] = prerender ? "true" : "false",
        ["Drive:PageSize"] = "4",
    });

    public ValueTask InitializeAsync()
    {
        App.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

public sealed class BlazorWebSocketsApp() : BlazorSampleAppFixture(longPolling: false, prerender: true);

public sealed class BlazorLongPollingApp() : BlazorSampleAppFixture(longPolling: true, prerender: true);

public sealed class BlazorWebSocketsNoPrerenderApp() : BlazorSampleAppFixture(longPolling: false, prerender: false);

public sealed class BlazorLongPollingNoPrerenderApp() : BlazorSampleAppFixture(longPolling: true, prerender: false);
