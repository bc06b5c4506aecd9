using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Options of the token service that keeps the signed-in user's Ellipsis Drive access token fresh.
/// </summary>
public class EllipsisDriveTokenOptions
{
    private string? _scheme;

    /// <summary>
    /// Gets or sets the Ellipsis Drive authentication scheme whose options (client, endpoints, backchannel, base address)
    /// the token service and the <see cref="HttpClient"/> support use. When not set, it is the only Ellipsis Drive scheme
    /// registered (whatever its name), or <see cref="EllipsisDriveDefaults.AuthenticationScheme"/> when none is. Start-up
    /// fails when it names a scheme that is not an Ellipsis Drive scheme, or when it is not set and several are registered.
    /// </summary>
    public string Scheme
    {
        get => _scheme ?? EllipsisDriveDefaults.AuthenticationScheme;
        set => _scheme = value;
    }

    /// <summary>Whether <see cref="Scheme"/> was set, by the app or by the resolution from the registered schemes.</summary>
    internal bool IsSchemeSet => _scheme is not null;

    /// <summary>
    /// Gets or sets the cookie scheme that holds the signed-in user. When <see langword="null"/> (the default), the
    /// Ellipsis Drive scheme's <c>SignInScheme</c> is used, or else the default sign-in scheme.
    /// </summary>
    public string? CookieScheme { get; set; }

    /// <summary>
    /// Gets or sets how long before its expiry an access token is refreshed. The default is 60 seconds.
    /// A token whose expiry is unknown is not refreshed ahead of time; a 401 from the API refreshes it.
    /// </summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets how long one refresh may take, whoever waits for it. The refresh does not use the cancellation of the
    /// request that started it, so that its result is always saved. The default is 30 seconds.
    /// </summary>
    public TimeSpan RefreshTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long the tokens of a refresh stay findable by the refresh token they replaced, so that a late
    /// request still carrying the old refresh token gets them instead of refreshing again. The default is 2 minutes.
    /// </summary>
    public TimeSpan SuccessorLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets the claim of the signed-in user whose value keys the user's grant in an
    /// <see cref="IEllipsisDriveTokenStore"/>. The default is <see cref="System.Security.Claims.ClaimTypes.NameIdentifier"/>: the
    /// Ellipsis Drive account id after an Ellipsis Drive sign-in, the local user id with ASP.NET Core Identity.
    /// </summary>
    public string UserKeyClaimType { get; set; } = System.Security.Claims.ClaimTypes.NameIdentifier;

    /// <summary>
    /// Gets or sets whether an Ellipsis Drive sign-in saves the grant into the registered <see cref="IEllipsisDriveTokenStore"/>
    /// under the user key of the signed-in user, and leaves the tokens out of the cookie or session (one copy, in the store).
    /// Without a store this does nothing. Set it to <see langword="false"/> when the app links grants itself, for example to
    /// a local ASP.NET Core Identity account with <see cref="IEllipsisDriveTokenService.ConnectAsync"/>. The default is
    /// <see langword="true"/>.
    /// </summary>
    public bool StoreGrantsAtSignIn { get; set; } = true;

    /// <summary>
    /// Gets or sets the events raised by the token service.
    /// </summary>
    public EllipsisDriveTokenEvents Events { get; set; } = new();

    /// <summary>
    /// The cookie scheme these options name: <see cref="CookieScheme"/>, else the <c>SignInScheme</c> of the Ellipsis Drive
    /// scheme; <see langword="null"/> when neither is set (the default sign-in scheme is meant then). The token service reads
    /// the signed-in user from it.
    /// </summary>
    internal string? ResolveCookieScheme(IOptionsMonitor<EllipsisDriveOptions> handlerOptions) =>
        CookieScheme ?? handlerOptions.Get(Scheme).SignInScheme;
}
