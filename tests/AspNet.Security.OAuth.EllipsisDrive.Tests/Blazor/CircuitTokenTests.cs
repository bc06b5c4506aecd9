using System.Security.Claims;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Blazor;

/// <summary>
/// Blazor circuits (AddEllipsisDriveCircuits) through the real handler and token service: a circuit is what Blazor makes
/// of it, a DI scope whose AuthenticationStateProvider holds the user of the connection that opened it, and whose work
/// runs inside the circuit handlers' inbound activity, with no request (as on the long-polling transport) or with the
/// connection's request (as on WebSockets), which must not decide whose token is sent.
/// </summary>
public sealed class CircuitTokenTests : TokenTestBase
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ellipsisdrive-circuits-").FullName;

    [Fact]
    public async Task Blazor_circuit_without_a_request_calls_the_api_as_its_user_from_the_server_side_session()
    {
        using var browser = await StartAndSignInAsync(serverMode: true, services: AddCircuits);
        await using var circuit = await OpenCircuitAsync(browser);

        var username = await circuit.RunAsync(services => services.GetRequiredService<EllipsisDriveApiClient>().GetAccountAsync(TestContext.Current.CancellationToken));

        Assert.Equal("alice", username.Username);
        Assert.Equal(0, TokenRefreshCalls);
    }

    [Fact]
    public async Task Blazor_circuit_uses_its_own_user_even_when_IHttpContextAccessor_returns_another_request()
    {
        using var browser = await StartAndSignInAsync(serverMode: true, services: AddCircuits);
        await using var circuit = await OpenCircuitAsync(browser);

        var account = await circuit.RunAsync(services =>
        {
            // What the WebSocket transport leaves behind: the connection's request, here an anonymous one.
            services.GetRequiredService<IHttpContextAccessor>().HttpContext = new DefaultHttpContext();
            return services.GetRequiredService<EllipsisDriveApiClient>().GetAccountAsync(TestContext.Current.CancellationToken);
        });

        Assert.Equal("alice", account.Username);
    }

    [Fact]
    public async Task Blazor_circuit_refresh_is_saved_to_the_session_so_the_next_page_load_uses_the_new_token()
    {
        using var browser = await StartAndSignInAsync(serverMode: true, services: AddCircuits);
        var before = await browser.GetStringAsync("/test/token");
        await using var circuit = await OpenCircuitAsync(browser);

        var refreshed = await circuit.RunAsync(services => services.GetRequiredService<EllipsisDriveCircuitTokens>().RefreshAccessTokenAsync(cancellationToken: TestContext.Current.CancellationToken));
        ExpireAccessToken(); // The circuit's next call after expiry refreshes again, from the rotated refresh token.
        var account = await circuit.RunAsync(services => services.GetRequiredService<EllipsisDriveApiClient>().GetAccountAsync(TestContext.Current.CancellationToken));

        Assert.Equal("alice", account.Username);
        Assert.Equal(2, TokenRefreshCalls);
        var reloaded = await browser.GetStringAsync("/test/token");
        Assert.NotEqual(before, reloaded);
        Assert.NotEqual(TokenTestHost.Fingerprint(refreshed), reloaded);
        Assert.Equal(2, TokenRefreshCalls);
        Assert.Equal(0, Host.RefreshFailedEvents);
    }

    [Fact]
    public async Task Blazor_circuit_after_sign_out_needs_a_new_sign_in()
    {
        using var browser = await StartAndSignInAsync(serverMode: true, services: AddCircuits);
        await using var circuit = await OpenCircuitAsync(browser);
        Assert.Equal("signed-out", await browser.GetStringAsync("/test/signout"));

        await Assert.ThrowsAsync<EllipsisDriveSignInRequiredException>(() =>
            circuit.RunAsync(services => services.GetRequiredService<EllipsisDriveApiClient>().GetAccountAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task Blazor_circuit_with_a_token_store_uses_the_users_stored_grant()
    {
        using var browser = await StartAndSignInAsync(serverMode: true, services: services =>
        {
            AddCircuits(services);
            services.AddDataProtection().SetApplicationName("circuit-tests").PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(_directory, "keys")));
            services.AddEllipsisDriveEntityFrameworkCoreStore(options => options.UseSqlite("Data Source=" + Path.Combine(_directory, "grants.db")));
        });
        await using var circuit = await OpenCircuitAsync(browser);
        ExpireAccessToken();

        var account = await circuit.RunAsync(services => services.GetRequiredService<EllipsisDriveApiClient>().GetAccountAsync(TestContext.Current.CancellationToken));

        Assert.Equal("alice", account.Username);
        Assert.Equal(1, TokenRefreshCalls);
        var alice = Drive.Users.Single(u => u.Username == "alice").Id;
        var grant = await Host.Services.GetRequiredService<IEllipsisDriveTokenStore>().GetAsync(EllipsisDriveDefaults.AuthenticationScheme, alice, TestContext.Current.CancellationToken);
        Assert.Equal(Time.GetUtcNow(), grant!.RefreshedAt);
    }

    [Fact]
    public async Task Session_reference_is_protected_and_never_written_to_the_session_store()
    {
        using var browser = await StartAndSignInAsync(serverMode: true, services: AddCircuits);
        var sessionKey = await browser.GetStringAsync("/test/session-id");
        var store = Host.Services.GetRequiredService<EllipsisDriveTicketStore>();

        var ticket = (await store.ReadAsync(sessionKey, TestContext.Current.CancellationToken))!;
        var reference = Assert.Single(ticket.Principal.FindAll(EllipsisDriveSessionReference.ClaimType)).Value;
        Assert.DoesNotContain(sessionKey, reference, StringComparison.Ordinal);

        // A renewal writes the ticket it was given, reference and all; the store leaves the reference out.
        await store.RenewAsync(sessionKey, ticket, TestContext.Current.CancellationToken);
        var cache = Host.Services.GetRequiredService<Microsoft.Extensions.Caching.Distributed.IDistributedCache>();
        var bytes = (await cache.GetAsync(Host.Services.GetRequiredService<IOptions<EllipsisDriveSessionOptions>>().Value.KeyPrefix + sessionKey, TestContext.Current.CancellationToken))!;
        var payload = System.Text.Encoding.UTF8.GetString(Host.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("AspNet.Security.OAuth.EllipsisDrive.Sessions.v1", sessionKey).Unprotect(bytes));
        Assert.DoesNotContain(EllipsisDriveSessionReference.ClaimType, payload, StringComparison.Ordinal);
        Assert.Single((await store.ReadAsync(sessionKey, TestContext.Current.CancellationToken))!.Principal.FindAll(EllipsisDriveSessionReference.ClaimType));
    }

    [Fact]
    public async Task Without_AddEllipsisDriveCircuits_a_session_principal_carries_no_reference()
    {
        using var browser = await StartAndSignInAsync(serverMode: true);
        var sessionKey = await browser.GetStringAsync("/test/session-id");

        var ticket = await Host.Services.GetRequiredService<EllipsisDriveTicketStore>().ReadAsync(sessionKey, TestContext.Current.CancellationToken);

        Assert.Empty(ticket!.Principal.FindAll(EllipsisDriveSessionReference.ClaimType));
    }

    [Fact]
    public async Task Blazor_circuits_in_cookie_mode_are_refused_at_start_up_with_what_to_do()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAndSignInAsync(serverMode: false, services: AddCircuits));

        Assert.Contains("AddEllipsisDriveSessions()", exception.Message, StringComparison.Ordinal);
        Assert.Contains("cannot rewrite the cookie", exception.Message, StringComparison.Ordinal);
    }

    private static void AddCircuits(IServiceCollection services) =>
        services.AddRazorComponents().AddInteractiveServerComponents().AddEllipsisDriveCircuits();

    /// <summary>
    /// A circuit as Blazor opens one: a scope whose authentication state is the user the connection's request
    /// authenticated (here read through the app's own cookie handler, as the hub's request is).
    /// </summary>
    private async Task<FakeCircuit> OpenCircuitAsync(Infrastructure.BrowserClient browser)
    {
        var sessionKey = await browser.GetStringAsync("/test/session-id");
        var ticket = await Host.Services.GetRequiredService<EllipsisDriveTicketStore>().ReadAsync(sessionKey, TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException("No session.");
        var scope = Host.Services.CreateAsyncScope();
        ((IHostEnvironmentAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>())
            .SetAuthenticationState(Task.FromResult(new AuthenticationState(ticket.Principal)));
        return new FakeCircuit(scope);
    }

    private sealed class FakeCircuit(AsyncServiceScope scope) : IAsyncDisposable
    {
        /// <summary>Runs <paramref name="work"/> as an inbound activity of the circuit, with no ambient request.</summary>
        public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
        {
            T result = default!;
            Func<CircuitInboundActivityContext, Task> activity = async _ => result = await work(scope.ServiceProvider);
            foreach (var handler in scope.ServiceProvider.GetServices<CircuitHandler>().Reverse())
            {
                activity = handler.CreateInboundActivityHandler(activity);
            }

            Task running;
            using (ExecutionContext.SuppressFlow())
            {
                // A fresh execution context: no HttpContext, no circuit, as a long-polling connection's dispatch has.
                running = Task.Run(() => activity(null!));
            }

            await running;
            return result;
        }

        public ValueTask DisposeAsync() => scope.DisposeAsync();
    }
}
