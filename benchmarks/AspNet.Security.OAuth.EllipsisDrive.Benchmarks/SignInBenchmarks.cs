using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using BenchmarkDotNet.Attributes;

namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

/// <summary>
/// One whole sign-in round trip (challenge, the emulator's consent page, the callback with its code exchange and
/// account request, the auth cookie) with this package in cookie mode, against ASP.NET Core's <c>AddOAuth</c>
/// configured by hand for the same emulator (the baseline). The emulator runs in the same process, so its work
/// is in both rows alike.
/// </summary>
[MemoryDiagnoser]
public class SignInBenchmarks
{
    private BenchApp? _hand;
    private BenchApp? _package;
    private EllipsisDriveEmulator? _emulator;
    private int _signIns;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var emulator = _emulator = await BenchEnvironment.EmulatorAsync();
        _hand = await BenchApp.StartAsync(AuthMode.HandConfiguredOAuth, emulator);
        _package = await BenchApp.StartAsync(AuthMode.EllipsisDriveCookie, emulator);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _hand!.DisposeAsync();
        await _package!.DisposeAsync();
        (await BenchEnvironment.EmulatorAsync()).ClearRequests();
    }

    [Benchmark(Baseline = true, Description = "AddOAuth configured by hand")]
    public async Task<int> HandConfiguredAddOAuth()
    {
        using var browser = await BenchEnvironment.SignInAsync(_hand!);
        ClearEmulatorRecordNowAndThen();
        return browser.AuthCookieBytes();
    }

    [Benchmark(Description = "AddEllipsisDrive")]
    public async Task<int> EllipsisDrive()
    {
        using var browser = await BenchEnvironment.SignInAsync(_package!);
        ClearEmulatorRecordNowAndThen();
        return browser.AuthCookieBytes();
    }

    /// <summary>The emulator records every request; clearing the record now and then keeps both rows from paying for its growth.</summary>
    private void ClearEmulatorRecordNowAndThen()
    {
        if (++_signIns % 500 == 0)
        {
            _emulator!.ClearRequests();
        }
    }
}
