using System.Diagnostics;
using System.Net;
using System.Reflection;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

/// <summary>The standalone emulator (<c>ellipsisdrive-emulator</c>, the dotnet tool) serves until it is told to stop.</summary>
public sealed class ToolTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task The_standalone_emulator_serves_then_exits_0_on_a_stop_signal(string signal)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "POSIX signals.");
        using var process = Start("--client-id", "demo", "--client-secret", "demo-secret", "--redirect-uri", "http://localhost:5000/signin-ellipsisdrive");
        try
        {
            var baseAddress = new Uri(await process.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct)
                ?? throw new InvalidOperationException("The emulator exited before printing its address: " + await process.StandardError.ReadToEndAsync(Ct)));
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri(baseAddress, "account"), Ct)).StatusCode);

            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }

            await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal(0, process.ExitCode);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync(new Uri(baseAddress, "account"), Ct));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static Process Start(params string[] arguments)
    {
        var tool = typeof(ToolTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "EmulatorToolPath").Value!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(tool);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
