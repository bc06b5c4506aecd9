namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

/// <summary>
/// A failure the emulator plays instead of (or before) its normal answer on one endpoint.
/// See <see cref="EllipsisDriveEmulator.InjectFault(EmulatorEndpoint, EmulatorFault)"/>.
/// </summary>
/// <remarks>
/// The order of effects is: wait <see cref="Delay"/>; then abort the connection when <see cref="DropConnection"/>
/// is set; otherwise answer <see cref="StatusCode"/> with <see cref="Body"/> when either is set; otherwise
/// (a delay-only fault) continue with the normal answer.
/// </remarks>
public sealed class EmulatorFault
{
    /// <summary>Gets or sets the HTTP status code to answer with; 500 when only <see cref="Body"/> is set.</summary>
    public int? StatusCode { get; set; }

    /// <summary>Gets or sets the body to answer with (not sent with a 204 or 304, which HTTP says have none).</summary>
    public string? Body { get; set; }

    /// <summary>Gets or sets the content type of <see cref="Body"/>. Defaults to <c>application/json</c>.</summary>
    public string ContentType { get; set; } = "application/json";

    /// <summary>
    /// Gets or sets how long to wait before answering. The wait is real time (not the emulator's
    /// <see cref="EllipsisDriveEmulatorOptions.TimeProvider"/>) and ends early when the client aborts the request.
    /// </summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Gets or sets a value indicating whether to abort the connection instead of answering.</summary>
    public bool DropConnection { get; set; }

    /// <summary>
    /// Gets or sets how many requests the fault applies to. Defaults to 1; zero or a negative value keeps the
    /// fault until <see cref="EllipsisDriveEmulator.ClearFaults"/> is called.
    /// </summary>
    public int Times { get; set; } = 1;
}
