namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Events raised by the token service.
/// </summary>
public class EllipsisDriveTokenEvents
{
    /// <summary>
    /// Gets or sets what runs when the refresh token or the client was rejected (<c>invalid_grant</c> or
    /// <c>invalid_client</c>) and the session or stored grant cannot go on. It runs once per failed refresh, however many
    /// callers waited for it. Set <see cref="EllipsisDriveRefreshFailedContext.SignOut"/> to <see langword="false"/> to keep
    /// the user signed in without tokens instead of signing them out.
    /// </summary>
    public Func<EllipsisDriveRefreshFailedContext, Task> OnRefreshFailed { get; set; } = static _ => Task.CompletedTask;

    /// <summary>
    /// Gets or sets what runs after every successful refresh, once per refresh, with the new tokens.
    /// </summary>
    public Func<EllipsisDriveTokensRefreshedContext, Task> OnTokensRefreshed { get; set; } = static _ => Task.CompletedTask;

    /// <summary>
    /// Invoked when a refresh failed for good; calls <see cref="OnRefreshFailed"/>.
    /// </summary>
    /// <param name="context">The failure.</param>
    /// <returns>A task that completes when the event has been handled.</returns>
    public virtual Task RefreshFailed(EllipsisDriveRefreshFailedContext context) => OnRefreshFailed(context);

    /// <summary>
    /// Invoked after a successful refresh; calls <see cref="OnTokensRefreshed"/>.
    /// </summary>
    /// <param name="context">The new tokens.</param>
    /// <returns>A task that completes when the event has been handled.</returns>
    public virtual Task TokensRefreshed(EllipsisDriveTokensRefreshedContext context) => OnTokensRefreshed(context);
}
