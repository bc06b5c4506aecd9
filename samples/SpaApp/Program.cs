using AspNet.Security.OAuth.EllipsisDrive;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace SpaApp;

/// <summary>
/// A single-page app with a backend for frontend: the browser holds only an HttpOnly, SameSite=Strict session cookie;
/// the tokens stay in a server-side session, and the page calls Ellipsis Drive through the same-origin proxy.
/// </summary>
public sealed class Program
{
    private Program()
    {
    }

    /// <summary>Runs the sample; with no <c>EllipsisDrive:ClientId</c> it runs offline on the in-process emulator.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>A task that completes when the app stops.</returns>
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        var section = builder.Configuration.GetSection("EllipsisDrive");
        var clientId = section["ClientId"];
        var useEmulator = string.IsNullOrWhiteSpace(clientId);
        if (useEmulator && !string.IsNullOrWhiteSpace(section["ClientSecret"]))
        {
            throw new InvalidOperationException(
                "EllipsisDrive:ClientSecret is set but EllipsisDrive:ClientId is missing. Set EllipsisDrive:ClientId too, or remove EllipsisDrive:ClientSecret to run on the built-in emulator.");
        }

        if (useEmulator)
        {
            // The emulator package starts an Ellipsis Drive of its own on a loopback port, registers this app there with
            // its actual callback URLs, and points the handler at it.
            builder.Services.AddEllipsisDriveEmulator();
        }

        builder.Services
            .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "SpaApp.Session";
                // Out of reach of the page's script, and never sent with a request another site starts.
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
            })
            .AddEllipsisDrive(options =>
            {
                if (!useEmulator)
                {
                    section.Bind(options);
                }

                // Deny at Ellipsis Drive, or a failed callback: back to the SPA, which says so. The failure's details stay
                // in the server's log.
                options.Events.OnRemoteFailure = context =>
                {
                    context.Response.Redirect("/?signin=failed");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });

        // The tokens stay on the server; the cookie carries a session key.
        builder.Services.AddEllipsisDriveSessions();
        // The proxy and /bff/user, /bff/login, /bff/logout. The default allow-list (account, account/root/*, path/*, GET/HEAD)
        // is all this page needs.
        builder.Services.AddEllipsisDriveBff();

        var app = builder.Build();
        app.Use(SecurityHeaders.AddAsync);
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.MapEllipsisDriveApi("/api/ellipsis");
        app.MapEllipsisDriveBff("/bff");
        app.MapGet("/sample/mode", () => new { emulator = useEmulator });

        await app.RunAsync();
    }
}
