namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// samples/SpaApp on real Kestrel in emulator mode (see <see cref="EmulatorSampleApp{TEntryPoint, TSelf}"/>). The
/// sample's <c>Program</c> is in its own namespace, apart from WebApp's.
/// </summary>
public sealed class SpaSampleApp() : EmulatorSampleApp<SpaApp.Program, SpaSampleApp>(settings: null);

/// <summary>One SPA sample shared by the tests of a class.</summary>
public sealed class SpaSampleAppFixture : IAsyncLifetime
{
    public SpaSampleApp App { get; } = new();

    public ValueTask InitializeAsync()
    {
        App.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
