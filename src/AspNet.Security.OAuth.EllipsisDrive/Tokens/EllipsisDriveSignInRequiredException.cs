namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// No usable Ellipsis Drive access token exists for the caller: nobody is signed in, the sign-in saved no tokens, or
/// the session ended because the refresh token was rejected. Sign the user in again (challenge the Ellipsis Drive scheme),
/// or let <c>app.UseEllipsisDriveSignInRequired()</c> do it.
/// </summary>
public sealed class EllipsisDriveSignInRequiredException : Exception
{
    /// <summary>
    /// Initializes a new <see cref="EllipsisDriveSignInRequiredException"/>.
    /// </summary>
    /// <param name="message">What is missing and what to do.</param>
    /// <param name="innerException">The failure that ended the session, if any.</param>
    public EllipsisDriveSignInRequiredException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
