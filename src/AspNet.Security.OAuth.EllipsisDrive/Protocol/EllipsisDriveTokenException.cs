namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// A request to the Ellipsis Drive token endpoint failed. The message carries the HTTP status and the
/// server's own error message; it never carries a token, a code, a verifier or a secret.
/// </summary>
public sealed class EllipsisDriveTokenException : Exception
{
    /// <summary>
    /// Initializes a new <see cref="EllipsisDriveTokenException"/>.
    /// </summary>
    /// <param name="kind">What kind of failure this is.</param>
    /// <param name="message">The message, free of secrets.</param>
    /// <param name="statusCode">The HTTP status of the answer, when there was one.</param>
    /// <param name="error">The OAuth error code of the answer (for example <c>invalid_grant</c>), when there was one.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public EllipsisDriveTokenException(EllipsisDriveTokenErrorKind kind, string message, int? statusCode = null, string? error = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
        Error = error;
    }

    /// <summary>
    /// Gets what kind of failure this is.
    /// </summary>
    public EllipsisDriveTokenErrorKind Kind { get; }

    /// <summary>
    /// Gets the HTTP status code of the token endpoint's answer, or <see langword="null"/> when none came (timeout, network error).
    /// </summary>
    public int? StatusCode { get; }

    /// <summary>
    /// Gets the OAuth error code of the answer (for example <c>invalid_grant</c>), when the server gave one.
    /// </summary>
    public string? Error { get; }

    /// <summary>
    /// Gets whether retrying later may succeed (<see cref="EllipsisDriveTokenErrorKind.Transient"/>).
    /// </summary>
    public bool IsTransient => Kind == EllipsisDriveTokenErrorKind.Transient;
}
