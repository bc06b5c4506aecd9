using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace AspNet.Security.OAuth.EllipsisDrive.Packaging.Tests;

/// <summary>
/// What a stranger gets from the packages: they are packed from this repository into a local folder, a new web app
/// outside the solution references them by version through a NuGet source (no project reference, none of this
/// repository's build files), builds, starts on a loopback port on the emulator package, and a user signs in.
/// </summary>
public sealed partial class PackAndConsumeTests : IAsyncLifetime
{
    private static readonly string RepositoryRoot = typeof(PackAndConsumeTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(attribute => attribute.Key == "RepositoryRoot").Value!;

    private static readonly string[] Packages = ["AspNet.Security.OAuth.EllipsisDrive", "AspNet.Security.OAuth.EllipsisDrive.Emulator"];

    private readonly string _root = Directory.CreateTempSubdirectory("ellipsisdrive-pack-").FullName;
    private Process? _app;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Feed => Path.Combine(_root, "feed");

    private string AppFolder => Path.Combine(_root, "app");

    [Fact(Timeout = 600_000)]
    public async Task A_fresh_app_built_from_the_packed_packages_signs_a_user_in_on_the_emulator()
    {
        var version = await PackAsync();
        await CreateAppAsync(version);
        await new DotNet(Path.Combine(_root, "packages")).RunAsync(AppFolder, TestContext.Current.CancellationToken, "build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false");
        AssertNoProjectReference();

        var app = await StartAppAsync();
        using var browser = new LoopbackBrowser(app);

        // The challenge sends the browser to the emulator, whose consent page says what it is.
        var authorize = await browser.GetRedirectAsync(new Uri(app, "/signin"));
        Assert.StartsWith("http://127.0.0.1:", authorize.AbsoluteUri, StringComparison.Ordinal);
        var consentPage = await browser.GetStringAsync(authorize);
        Assert.Contains("Ellipsis Drive emulator", consentPage, StringComparison.Ordinal);
        var requestId = RequestId().Match(consentPage).Groups[1].Value;

        // Alice allows; the emulator sends the browser back to the app's callback, which signs her in.
        var callback = await browser.PostFormRedirectAsync(new Uri(authorize, "/v3/oauth/authorize/consent"), new Dictionary<string, string>
        {
            ["request_id"] = requestId,
            ["user"] = "alice",
            ["decision"] = "allow",
        });
        Assert.Equal(new Uri(app, "/signin-ellipsisdrive").AbsolutePath, callback.AbsolutePath);
        var returned = await browser.GetRedirectAsync(callback);
        Assert.Equal("/me", returned.AbsolutePath);

        Assert.Equal("signed in as alice", await browser.GetStringAsync(returned));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            if (!_app.HasExited)
            {
                _app.Kill(entireProcessTree: true);
                await _app.WaitForExitAsync();
            }

            _app.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Packs the packages the app needs from this repository's sources; returns their version.</summary>
    private async Task<string> PackAsync()
    {
        var dotnet = new DotNet();
        foreach (var package in Packages)
        {
            await dotnet.RunAsync(RepositoryRoot, Ct, "pack", Path.Combine("src", package, package + ".csproj"), "-c", "Release", "-o", Feed, "-nodeReuse:false", "-p:UseSharedCompilation=false");
        }

        var main = Assert.Single(Directory.GetFiles(Feed, Packages[0] + ".*.nupkg"), file => char.IsAsciiDigit(Path.GetFileName(file)[Packages[0].Length + 1]));
        var version = Path.GetFileNameWithoutExtension(main)[(Packages[0].Length + 1)..];
        foreach (var package in Packages)
        {
            Assert.True(File.Exists(Path.Combine(Feed, $"{package}.{version}.nupkg")), $"{package} {version} was not packed.");
            Assert.True(File.Exists(Path.Combine(Feed, $"{package}.{version}.snupkg")), $"{package} {version} has no symbol package.");
        }

        return version;
    }

    /// <summary>A web app as a stranger would write it, in a folder of its own, with the packed folder as a NuGet source.</summary>
    private async Task CreateAppAsync(string version)
    {
        Directory.CreateDirectory(AppFolder);
        // Stop MSBuild's search for Directory.Build.* and Directory.Packages.props in the folders above.
        await File.WriteAllTextAsync(Path.Combine(AppFolder, "Directory.Build.props"), "<Project />\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(AppFolder, "Directory.Build.targets"), "<Project />\n", Ct);
        // The local folder, added to the machine's own package sources (the user-level NuGet.Config), which NuGet merges in.
        await File.WriteAllTextAsync(Path.Combine(AppFolder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="packed" value="{Feed}" />
              </packageSources>
            </configuration>
            """, Ct);
        await File.WriteAllTextAsync(Path.Combine(AppFolder, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{Packages[0]}" Version="{version}" />
                <PackageReference Include="{Packages[1]}" Version="{version}" />
              </ItemGroup>
            </Project>
            """, Ct);
        await File.WriteAllTextAsync(Path.Combine(AppFolder, "Program.cs"), """
            using System.Security.Claims;
            using AspNet.Security.OAuth.EllipsisDrive;
            using Microsoft.AspNetCore.Authentication;
            using Microsoft.AspNetCore.Authentication.Cookies;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services
                .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
                .AddCookie()
                .AddEllipsisDrive();
            builder.Services.AddEllipsisDriveEmulator();

            var app = builder.Build();
            app.UseAuthentication();
            app.MapGet("/signin", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/me" }, [EllipsisDriveDefaults.AuthenticationScheme]));
            app.MapGet("/me", (ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? $"signed in as {user.Identity.Name}" : "anonymous");
            app.Run();
            """, Ct);
    }

    private void AssertNoProjectReference()
    {
        var assets = File.ReadAllText(Path.Combine(AppFolder, "obj", "project.assets.json"));
        Assert.DoesNotContain("\"type\": \"project\"", assets, StringComparison.Ordinal);
        Assert.Contains($"\"{Packages[1]}/", assets, StringComparison.Ordinal);
        Assert.Empty(XDocument.Load(Path.Combine(AppFolder, "App.csproj")).Descendants("ProjectReference"));
    }

    /// <summary>Starts the built app on a free loopback port (Kestrel picks it); returns its address.</summary>
    private async Task<Uri> StartAppAsync()
    {
        var start = new DotNet(Path.Combine(_root, "packages")).StartInfo(AppFolder, Path.Combine(AppFolder, "bin", "Release", "net10.0", "App.dll"), "--urls", "http://127.0.0.1:0");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        _app = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (await _app.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            log.AppendLine(line);
            if (ListeningOn().Match(line) is { Success: true } match)
            {
                // Keep reading, so that the app never blocks on a full pipe.
                _ = _app.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                _ = _app.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                return new Uri(match.Groups[1].Value + "/");
            }
        }

        Assert.Fail("The app exited before listening:\n" + log + await _app.StandardError.ReadToEndAsync(Ct));
        return null!;
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    [GeneratedRegex("name=\"request_id\" value=\"([^\"]+)\"")]
    private static partial Regex RequestId();
}
