using System.Globalization;
using System.Net.Http.Headers;
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
    private const int MaxServerMessageLength = 300;

    // The state of the callback being handled, and what became of it: the base pipeline reports a state it cannot use
    // with one fixed message, the handler says which check failed and what to do.
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

    /// <summary>
    /// Starts a sign-in's correlation: its short <c>state</c>, and when it was issued. The cookie is written with the
    /// protected properties in <see cref="BuildChallengeUrl"/>; it is the correlation cookie, so no other one is written.
    /// </summary>
    /// <param name="properties">The properties of the sign-in.</param>
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
        if (!properties.Items.ContainsKey(StateKey))
        {
            GenerateCorrelationId(properties);
        }

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
        Request.QueryString = QueryString.Create(query.Select(parameter => KeyValuePair.Create(parameter.Key, parameter.Key switch
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

    /// <summary>
    /// Checks that the properties the base handler read from the state cookie belong to this callback's state and are
    /// within <see cref="RemoteAuthenticationOptions.RemoteAuthenticationTimeout"/>; the cookie was found under this
    /// state's name, so this browser started the sign-in.
    /// </summary>
    /// <param name="properties">The properties read from the state cookie.</param>
    /// <returns>Whether the callback belongs to the sign-in the properties describe.</returns>
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
            return OAuthTokenResponse.Failed(new AuthenticationFailureException(DescribeStateFailure(StateFailure.Reused)));
        }

        using var activity = EllipsisDriveTelemetry.StartTokenEndpointActivity("authorization_code");
        try
        {
            var answer = await EllipsisDriveTokenClient.RedeemCodeKeepingAnswerAsync(
                Options, context.Code, context.RedirectUri, codeVerifier, Context.RequestAborted).ConfigureAwait(false);

            // The answer as parsed, not a rewritten copy; the properties it reads by their RFC 6749 names are then set to what
            // the tolerant reader found (camelCase names, a numeric or fractional expires_in). The response owns the document.
            // An answer with an access token succeeded: an 'error' member next to it is not a failure (and its unsanitized
            // text must not become one).
            var tokenSet = answer.Tokens;
            var response = OAuthTokenResponse.Success(answer.Document);
            response.Error = null;
            response.AccessToken = tokenSet.AccessToken;
            response.TokenType = tokenSet.TokenType;
            response.RefreshToken = tokenSet.RefreshToken;
            response.ExpiresIn = tokenSet.ExpiresIn is { } expiresIn ? ((long)expiresIn.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null;
            return response;
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

        using var account = await GetAccountAsync(tokens.AccessToken ?? string.Empty).ConfigureAwait(false);

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
        return HandleRequestResult.Fail(DescribeStateFailure(failure), properties);
    }

    // RFC 6749 appendix A.11: a code is printable ASCII (VSCHAR); anything else is not worth a token request.
    private static bool IsValidCode(string? code) =>
        !string.IsNullOrEmpty(code) && code.Length <= MaxCodeLength && code.All(static c => c is >= '\x20' and <= '\x7E');

    private string DescribeStateFailure(StateFailure failure) => failure switch
    {
        StateFailure.Missing => "The Ellipsis Drive callback carries no valid 'state' parameter.",
        StateFailure.NotFound => "The sign-in state of this Ellipsis Drive callback was not found: the sign-in was already completed, started in another browser, or its cookie expired. Start the sign-in again.",
        StateFailure.Unreadable => "The sign-in state cookie could not be read: it was altered, or protected with Data Protection keys this server does not share. Start the sign-in again.",
        StateFailure.Reused => "The sign-in state of this Ellipsis Drive callback was already used: a callback is good for one sign-in attempt. Start the sign-in again.",
        StateFailure.Mismatch => "The sign-in state cookie belongs to another sign-in than this Ellipsis Drive callback. Start the sign-in again.",
        _ => string.Create(
            CultureInfo.InvariantCulture,
            $"The sign-in state expired: the sign-in must complete within {Options.RemoteAuthenticationTimeout.TotalMinutes} minutes (RemoteAuthenticationTimeout). Start the sign-in again."),
    };

    private async Task<JsonDocument> GetAccountAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Options.UserInformationEndpoint);
        request.Headers.TryAddWithoutValidation("Accept", "application/json"); // Only sent: no need to parse it.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Version = Backchannel.DefaultRequestVersion;

        HttpResponseMessage response;
        try
        {
            response = await Backchannel.SendAsync(request, HttpCompletionOption.ResponseContentRead, Context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!Context.RequestAborted.IsCancellationRequested)
        {
            Log.AccountRequestFailed(Logger, null);
            throw new AuthenticationFailureException(
                string.Create(CultureInfo.InvariantCulture, $"The Ellipsis Drive account endpoint did not answer within {Options.BackchannelTimeout.TotalSeconds} s (BackchannelTimeout)."),
                exception);
        }
        catch (HttpRequestException exception)
        {
            Log.AccountRequestFailed(Logger, null);
            throw new AuthenticationFailureException("The Ellipsis Drive account endpoint could not be reached: " + EllipsisDriveText.Redact(exception.Message, [accessToken]), exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is < 200 or > 299)
            {
                var errorBody = await response.Content.ReadAsStringAsync(Context.RequestAborted).ConfigureAwait(false);
                Log.AccountRequestFailed(Logger, status);
                throw new AuthenticationFailureException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The Ellipsis Drive account endpoint answered HTTP {status}: {EllipsisDriveText.Redact(DescribeErrorBody(errorBody), [accessToken])}"));
            }

            // Parsed from the buffered bytes: no string of the whole answer.
            var document = await EllipsisDriveJson.TryParseAsync(response.Content, maxDepth: 32, Context.RequestAborted).ConfigureAwait(false);
            if (document?.RootElement.ValueKind != JsonValueKind.Object)
            {
                document?.Dispose();
                Log.AccountRequestFailed(Logger, status);
                var empty = response.Content.Headers.ContentLength == 0
                    || string.IsNullOrWhiteSpace(await response.Content.ReadAsStringAsync(Context.RequestAborted).ConfigureAwait(false));
                throw new AuthenticationFailureException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The Ellipsis Drive account endpoint answered HTTP {status} with {(empty ? "an empty body" : "a body that is not a JSON object")}."));
            }

            return document;
        }
    }

    private void AddNameIdentifier(ClaimsIdentity identity, JsonElement account)
    {
        if (identity.HasClaim(static claim => claim.Type == ClaimTypes.NameIdentifier))
        {
            return; // Mapped by a claim action the application added.
        }

        var id = account.TryGetProperty("id", out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

        if (string.IsNullOrWhiteSpace(id))
        {
            id = account.TryGetProperty("username", out var username) && username.ValueKind == JsonValueKind.String ? username.GetString() : null;
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new AuthenticationFailureException("The Ellipsis Drive account answer has neither an 'id' nor a 'username': the user cannot be identified.");
            }

            Log.NameIdentifierFromUsername(Logger);
        }

        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, id, ClaimValueTypes.String, ClaimsIssuer));
    }

    private static string DescribeErrorBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "an empty body";
        }

        var answer = EllipsisDriveJson.ReadError(body);
        return (answer.Message ?? answer.Description ?? answer.Error) is { } text
            ? EllipsisDriveText.Sanitize(text, MaxServerMessageLength)
            : answer.IsJson ? "a body without an error message" : "a body that is not JSON";
    }
}
