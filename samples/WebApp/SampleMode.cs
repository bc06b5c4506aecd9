namespace WebApp;

/// <summary>How the sample runs: against the emulator or a real Ellipsis Drive, with sessions in memory or Redis.</summary>
/// <param name="Emulator">Whether the in-process emulator stands in for Ellipsis Drive.</param>
/// <param name="Redis">Whether sessions and Data Protection keys live in Redis.</param>
public sealed record SampleMode(bool Emulator, bool Redis)
{
    /// <summary>Gets where the tokens are kept, for the account page.</summary>
    public string SessionStore => Redis ? "Server-side session (Redis)" : "Server-side session (in memory)";
}
