namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Per-request options read by the handler that <c>AddEllipsisDriveAccessToken</c> adds to an <see cref="HttpClient"/>.
/// </summary>
public static class EllipsisDriveHttpRequestOptions
{
    /// <summary>
    /// The server-side session whose token to attach, for calls made outside a request (a background task):
    /// <c>request.Options.Set(EllipsisDriveHttpRequestOptions.SessionId, sessionId)</c>. Without it, the user of the
    /// current Blazor circuit (<c>AddEllipsisDriveCircuits</c>) or of the current request is used. The session id is a
    /// bearer-equivalent secret: never take it from the browser.
    /// </summary>
    public static readonly HttpRequestOptionsKey<string> SessionId = new("EllipsisDrive.SessionId");

    /// <summary>
    /// The user whose stored grant (<see cref="IEllipsisDriveTokenStore"/>) to use, for calls made for a user outside
    /// any request (a background job): <c>request.Options.Set(EllipsisDriveHttpRequestOptions.UserKey, userKey)</c>, or
    /// <see cref="EllipsisDriveApiClient.ForUser"/>. Wins over <see cref="SessionId"/> and the current request.
    /// </summary>
    public static readonly HttpRequestOptionsKey<string> UserKey = new("EllipsisDrive.UserKey");
}
