using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Authenticates users with Ellipsis Drive on the <see cref="OAuthHandler{TOptions}"/> pipeline: a short <c>state</c>
/// that fits the provider's storage (the protected properties wait in the correlation cookie), the token request in the
/// shape Ellipsis Drive documents, and the signed-in user read from the account endpoint.
/// </summary>
public partial class EllipsisDriveHandler : OAuthHandler<EllipsisDriveOptions>
{
    private const string StateKey = ".ellipsisdrive.state";
    private const string IssuedKey = ".ellipsisdrive.issued";
    private const int MaxCodeLength = 4096;
    private const int MaxErrorLength = 64;
    private const int MaxErrorDescriptionLength = 256;

    // The callback's state and what became of it: the handler says which check failed, where the base has one message.
    private string? _state;
    private StateFailure? _stateFailure;
    private AuthenticationProperties? _properties;

    /// <summary>
    /// Initializes a new <see cref="EllipsisDriveHandler"/>.
    /// </summary>
    /// <param name="options">The monitor of the handler's options.</param>
    /// <param name="logger">The logger factory.</param>
    /// <param name="encoder">The URL encoder.</param>
    public EllipsisDriveHandler(IOptionsMonitor<EllipsisDriveOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : base(options, logger, encoder)
    {
    }

    // Chunked, so an application that puts a lot in the properties gets several cookies rather than one the browser drops.
    // A forged "chunks-N" value then reads as an unreadable cookie instead of throwing.
    private static ChunkingCookieManager StateCookies { get; } = new() { ThrowForPartialCookies = false };

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);

        // Code cannot follow a redirect to a sign-in page: it gets a 401, as the cookie handler answers XHR. Checked before
        // the challenge URL is built, so that no state cookie is written for a sign-in that cannot start.
        if (EllipsisDriveApiRequests.IsApiRequest(Request))
        {
            EllipsisDriveApiRequests.SetUnauthorized(Response, Scheme.Name);
            return;
        }

        // The base handler's steps, minus its debug line: that line logs the redirect URL, and the state in it is what a
        // forged callback needs to pass in this browser.
        if (string.IsNullOrEmpty(properties.RedirectUri))
        {
            properties.RedirectUri = OriginalPathBase + OriginalPath + Request.QueryString;
        }

        GenerateCorrelationId(properties);
        var authorizationUrl = BuildChallengeUrl(properties, BuildRedirectUri(Options.CallbackPath));
        await Events.RedirectToAuthorizationEndpoint(new RedirectContext<OAuthOptions>(Context, Scheme, Options, properties, authorizationUrl)).ConfigureAwait(false);
        Log.ChallengeIssued(Logger);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The correlation id is the short <c>state</c>; <see cref="BuildChallengeUrl"/> writes the correlation cookie, which
    /// carries the protected properties.
    /// </remarks>
    protected override void GenerateCorrelationId(AuthenticationProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        properties.Items[StateKey] = EllipsisDriveState.NewState();
        properties.Items[IssuedKey] = TimeProvider.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        ArgumentNullException.ThrowIfNull(properties);

        // The base URL carries StateDataFormat's protected properties as 'state': they go into the correlation cookie,
        // named after the short state that replaces them in the URL.
        var state = properties.Items[StateKey]!;
        var url = base.BuildChallengeUrl(properties, redirectUri);
        var protectedProperties = QueryHelpers.ParseQuery(new Uri(url).Query)["state"].ToString();
        StateCookies.AppendResponseCookie(Context, StateCookieName(state), protectedProperties, Options.CorrelationCookie.Build(Context, TimeProvider.GetUtcNow()));
        return url.Replace("state=" + UrlEncoder.Default.Encode(protectedProperties), "state=" + state, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    protected override async Task<HandleRequestResult> HandleRemoteAuthenticateAsync()
    {
        var query = Request.Query;
        _state = query["state"] is { Count: 1 } values && EllipsisDriveState.IsWellFormed(values[0]) ? values[0] : null;
        if (_state is null)
        {
            return StateFailed(StateFailure.Missing);
        }

        var cookieName = StateCookieName(_state);
        var protectedProperties = StateCookies.GetRequestCookie(Context, cookieName);
        if (string.IsNullOrEmpty(protectedProperties))
        {
            return StateFailed(StateFailure.NotFound);
        }

        // One use only, whatever the outcome.
        StateCookies.DeleteCookie(Context, cookieName, Options.CorrelationCookie.Build(Context, TimeProvider.GetUtcNow()));

        var code = query["code"];
        if (StringValues.IsNullOrEmpty(query["error"]) && (code.Count != 1 || !IsValidCode(code[0])))
        {
            Log.CodeRejected(Logger, code.Count);
            return HandleRequestResult.Fail("The Ellipsis Drive callback carries no valid 'code' parameter.");
        }

        // The Weixin pattern: the base handler reads the protected properties from 'state', so they go back there. The
        // provider's error text goes into its failure message verbatim, so it goes back sanitized.
        // Names are matched as the base handler reads them: case-insensitively.
        Request.QueryString = QueryString.Create(query.Select(parameter => KeyValuePair.Create(parameter.Key, parameter.Key.ToLowerInvariant() switch
        {
            "state" => new StringValues(protectedProperties),
            "error" => new StringValues(EllipsisDriveText.Sanitize(parameter.Value.ToString(), MaxErrorLength)),
            "error_description" or "error_uri" => new StringValues(EllipsisDriveText.Sanitize(parameter.Value.ToString(), MaxErrorDescriptionLength)),
            _ => parameter.Value,
        })));

        // Until ValidateCorrelationId sees the properties, the base handler could not unprotect them.
        _stateFailure = StateFailure.Unreadable;
        HandleRequestResult result;
        try
        {
            result = await base.HandleRemoteAuthenticateAsync().ConfigureAwait(false);
        }
        catch (AuthenticationFailureException exception)
        {
            return HandleRequestResult.Fail(exception, _properties);
        }

        if (_stateFailure is { } failure)
        {
            return StateFailed(failure, _properties);
        }

        if (result.Succeeded)
        {
            Context.RequestServices.GetService<EllipsisDriveMetrics>()?.SignedIn(Scheme.Name);
        }

        return result;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The cookie was found under this callback's state, so this browser started the sign-in; its properties must name
    /// that state and be younger than <see cref="RemoteAuthenticationOptions.RemoteAuthenticationTimeout"/>.
    /// </remarks>
    protected override bool ValidateCorrelationId(AuthenticationProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        _properties = properties;
        properties.Items.Remove(StateKey, out var state);
        properties.Items.Remove(IssuedKey, out var issued);

        _stateFailure = state is null || _state is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state), Encoding.UTF8.GetBytes(_state))
            ? StateFailure.Mismatch
            : !long.TryParse(issued, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || !EllipsisDriveState.IsFresh(DateTimeOffset.FromUnixTimeSeconds(seconds), TimeProvider.GetUtcNow(), Options.RemoteAuthenticationTimeout)
                ? StateFailure.Expired
                : null;
        return _stateFailure is null;
    }

    /// <inheritdoc />
    protected override async Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The verifier is only needed here; it must not travel on into the authentication ticket.
        context.Properties.Items.Remove(OAuthConstants.CodeVerifierKey, out var codeVerifier);

        // A copy of the state cookie taken before its first use would pass again: each state buys one code exchange.
        var replayGuard = Context.RequestServices.GetRequiredService<EllipsisDriveStateReplayGuard>();
        if (_state is null || !await replayGuard.TryConsumeAsync(Scheme.Name, _state, Options.RemoteAuthenticationTimeout, Context.RequestAborted).ConfigureAwait(false))
        {
            Log.StateRejected(Logger, StateFailure.Reused);
            return OAuthTokenResponse.Failed(new AuthenticationFailureException(EllipsisDriveState.Describe(StateFailure.Reused, Options.RemoteAuthenticationTimeout)));
        }

        using var activity = EllipsisDriveTelemetry.StartTokenEndpointActivity("authorization_code");
        try
        {
            var answer = await EllipsisDriveTokenClient.RedeemCodeKeepingAnswerAsync(
                Options, context.Code, context.RedirectUri, codeVerifier, Context.RequestAborted).ConfigureAwait(false);
            return answer.ToOAuthTokenResponse();
        }
        catch (EllipsisDriveTokenException exception)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, EllipsisDriveMetrics.ToTag(exception.Kind));
            Log.CodeExchangeFailed(Logger, exception.Kind, exception.StatusCode, exception.Error is null ? null : EllipsisDriveText.Sanitize(exception.Error, MaxErrorLength));
            return OAuthTokenResponse.Failed(exception);
        }
    }

    /// <inheritdoc />
    protected override async Task<AuthenticationTicket> CreateTicketAsync(ClaimsIdentity identity, AuthenticationProperties properties, OAuthTokenResponse tokens)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(tokens);

        using var account = await EllipsisDriveAccountClient.GetAsync(Options, tokens.AccessToken ?? string.Empty, Logger, Context.RequestAborted).ConfigureAwait(false);

        var principal = new ClaimsPrincipal(identity);
        var context = new OAuthCreatingTicketContext(principal, properties, Context, Scheme, Options, Backchannel, tokens, account.RootElement);
        context.RunClaimActions();
        AddNameIdentifier(identity, account.RootElement);

        await Events.CreatingTicket(context).ConfigureAwait(false);
        var ticket = new AuthenticationTicket(context.Principal!, context.Properties, Scheme.Name);

        // The base handler saved the tokens in the properties; a durable token store takes them out of the ticket here.
        if (Options.SaveTokens && Context.RequestServices.GetService<IEllipsisDriveTokenService>() is EllipsisDriveTokenService tokenService)
        {
            await tokenService.KeepGrantAtSignInAsync(Scheme.Name, ticket, Context.RequestAborted).ConfigureAwait(false);
        }

        return ticket;
    }

    private string StateCookieName(string state) => EllipsisDriveState.GetCookieName(state, Options.CorrelationCookie.Name ?? EllipsisDriveState.CookiePrefix);

    private HandleRequestResult StateFailed(StateFailure failure, AuthenticationProperties? properties = null)
    {
        Log.StateRejected(Logger, failure);
        return HandleRequestResult.Fail(EllipsisDriveState.Describe(failure, Options.RemoteAuthenticationTimeout), properties);
    }

    // RFC 6749 appendix A.11: a code is printable ASCII (VSCHAR); anything else is not worth a token request.
    private static bool IsValidCode(string? code) =>
        !string.IsNullOrEmpty(code) && code.Length <= MaxCodeLength && code.All(static c => c is >= '\x20' and <= '\x7E');

    private void AddNameIdentifier(ClaimsIdentity identity, JsonElement account)
    {
        // Unless a claim action the application added mapped it.
        if (!identity.HasClaim(static claim => claim.Type == ClaimTypes.NameIdentifier))
        {
            identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, EllipsisDriveAccountClient.ReadId(account, out var fromUsername), ClaimValueTypes.String, ClaimsIssuer));
            if (fromUsername)
            {
                Log.NameIdentifierFromUsername(Logger);
            }
        }
    }
}
