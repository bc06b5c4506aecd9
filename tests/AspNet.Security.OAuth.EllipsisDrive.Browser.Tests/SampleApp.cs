using WebApp;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>samples/WebApp on real Kestrel in emulator mode (see <see cref="EmulatorSampleApp{TEntryPoint, TSelf}"/>).</summary>
public sealed class SampleApp(IReadOnlyDictionary<string, string?>? settings = null) : EmulatorSampleApp<Program, SampleApp>(settings);

/// <summary>One sample app shared by the tests of a class; its emulator pages through 4 items at a time.</summary>
public sealed class SampleAppFixture : IAsyncLifetime
{
    public SampleApp App { get; } = new(new Dictionary<string, string?> { ["Drive:PageSize"] = "4" });

    public ValueTask InitializeAsync()
    {
        App.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
