using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The services of the Blazor circuit whose work is running, for code that lives in another DI scope: the
/// <see cref="HttpClient"/> handlers that <c>IHttpClientFactory</c> creates in a scope of their own. Set for each inbound
/// activity of a circuit (its start, events, JS interop, navigation) by <see cref="EllipsisDriveCircuitHandler"/>, and
/// carried by the execution context into the work that activity starts.
/// </summary>
internal sealed class EllipsisDriveCircuitServices
{
    private readonly AsyncLocal<IServiceProvider?> _current = new();

    /// <summary>Gets the current circuit's services, or <see langword="null"/> outside any circuit.</summary>
    public IServiceProvider? Services
    {
        get => _current.Value;
        internal set => _current.Value = value;
    }

    /// <summary>Gets the token source of the current circuit's user, or <see langword="null"/> outside any circuit.</summary>
    public EllipsisDriveCircuitTokens? Tokens => Services?.GetService<EllipsisDriveCircuitTokens>();
}

/// <summary>Makes the circuit's services current while the circuit handles an inbound activity.</summary>
internal sealed class EllipsisDriveCircuitHandler(IServiceProvider circuitServices, EllipsisDriveCircuitServices current) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            // Set inside this async method: it flows into the work the activity starts, and the caller's execution
            // context (the connection's) never sees it.
            current.Services = circuitServices;
            await next(context).ConfigureAwait(false);
        };
}
