using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace BlazorApp;

/// <summary>How the sample runs: against the emulator or a real Ellipsis Drive, and how its interactive parts render.</summary>
/// <param name="Emulator">Whether the in-process emulator stands in for Ellipsis Drive.</param>
/// <param name="Prerender">Whether the interactive components are prerendered (section <c>Blazor</c>, <c>Prerender</c>).</param>
public sealed record SampleMode(bool Emulator, bool Prerender)
{
    /// <summary>Gets the render mode of the interactive components: interactive server, prerendered or not.</summary>
    public IComponentRenderMode RenderMode { get; } = new InteractiveServerRenderMode(Prerender);
}
