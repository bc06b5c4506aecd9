using System.Buffers.Text;
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
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Authenticates users with Ellipsis Drive: OAuth 2.0 authorization code with PKCE (S256), a compact
/// <c>state</c> that fits the provider's storage, the token request in the shape Ellipsis Drive documents,
/// and the signed-in user read from the account endpoint.
/// </summary>
public partial class EllipsisDriveHandler : OAuthHandler<EllipsisDriveOptions>
{
    private const int MaxCodeLength = 4096;
    private const int MaxErrorLength = 64;
    private const int MaxErrorDescriptionLength = 256;
    private const int MaxServerMessageLength = 300;

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

        // As the base handler does, minus its debug line: it logs the whole redirect, state included.
        if (string.IsNullOrEmpty(properties.RedirectUri))
        {
            properties.RedirectUri = OriginalPathBase + OriginalPath + Request.QueryString;
        }

        // No correlation cookie: the state cookie does its job. It is set for this browser only, one per sign-in, and the
        // callback must bring it back under the name derived from its state, with the state inside it, or it fails. A
        // second cookie proving the same thing cost every sign-in a cookie written, sent and deleted.
        var authorizationUrl = BuildChallengeUrl(properties, BuildRedirectUri(Options.CallbackPath));
        await Events.RedirectToAuthorizationEndpoint(new RedirectContext<OAuthOptions>(Context, Scheme, Options, properties, authorizationUrl)).ConfigureAwait(false);
        Log.ChallengeIssued(Logger);
    }

    /// <inheritdoc />
    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        ArgumentNullException.ThrowIfNull(properties);

        var scopes = properties.GetParameter<ICollection<string>>(OAuthChallengeProperties.ScopeKey);
        var state = EllipsisDriveStateStore.NewState();
        var scope = scopes is null ? FormatScope() : FormatScope(scopes);

        string? codeChallenge = null;
        if (Options.UsePkce)
        {
            var codeVerifier = NewCodeVerifier();
            properties.Items[OAuthConstants.CodeVerifierKey] = codeVerifier;
            codeChallenge = ComputeCodeChallenge(codeVerifier);
        }

        var now = TimeProvider.GetUtcNow();
        StateCookies.AppendResponseCookie(
            Context,
            EllipsisDriveStateStore.GetCookieName(state),
            CreateStateStore().Protect(state, now, properties),
            CreateStateCookieOptions(now + Options.RemoteAuthenticationTimeout));

        // The query is written straight into one builder sized for it, rather than through a dictionary and QueryHelpers.
        var endpoint = Options.AuthorizationEndpoint;
        var fragmentAt = endpoint.IndexOf('#', StringComparison.Ordinal);
        var target = fragmentAt < 0 ? endpoint.AsSpan() : endpoint.AsSpan(0, fragmentAt);
        var url = new StringBuilder(target.Length + 256 + redirectUri.Length + scope.Length);
        url.Append(target);
        var separator = target.Contains('?') ? '&' : '?';

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                url.Append(separator).Append(UrlEncoder.Default.Encode(name)).Append('=').Append(UrlEncoder.Default.Encode(value));
                separator = '&';
            }
        }

        foreach (var (name, value) in Options.AdditionalAuthorizationParameters)
        {
            // Written before the protocol parameters, and never in their place: none of them can replace a protocol parameter.
            if (!IsProtocolParameter(name))
            {
                Add(name, value);
            }
        }

        Add("response_type", "code");
        Add("client_id", Options.ClientId);
        Add("redirect_uri", redirectUri);
        Add("scope", scope);
        Add("state", state);
        if (codeChallenge is not null)
        {
            Add(OAuthConstants.CodeChallengeKey, codeChallenge);
            Add(OAuthConstants.CodeChallengeMethodKey, OAuthConstants.CodeChallengeMethodS256);
        }

        if (fragmentAt >= 0)
        {
            url.Append(endpoint.AsSpan(fragmentAt));
        }

        return url.ToString();
    }

    private static bool IsProtocolParameter(string name) => name is "response_type" or "client_id" or "redirect_uri" or "scope" or "state"
        || string.Equals(name, OAuthConstants.CodeChallengeKey, StringComparison.Ordinal)
        || string.Equals(name, OAuthConstants.CodeChallengeMethodKey, StringComparison.Ordinal);

    // RFC 7636: 32 random bytes, base64url (43 characters).
    private static string NewCodeVerifier()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    // RFC 7636 S256: base64url(SHA-256(ASCII(verifier))). The verifier is base64url, so one byte per character.
    private static string ComputeCodeChallenge(string codeVerifier)
    {
        Span<byte> ascii = stackalloc byte[128];
        var length = Encoding.ASCII.GetBytes(codeVerifier, ascii);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(ascii[..length], hash);
        return Base64Url.EncodeToString(hash);
    }

    /// <inheritdoc />
    protected override async Task<HandleRequestResult> HandleRemoteAuthenticateAsync()
    {
        var query = Request.Query;

        var restored = RestoreProperties(query["state"]);
        if (restored.Properties is not { } properties)
        {
            var failure = restored.Failure ?? StateFailure.Missing;
            Log.StateRejected(Logger, failure);
            return HandleRequestResult.Fail(DescribeStateFailure(failure));
        }

        var replayGuard = Context.RequestServices.GetRequiredService<EllipsisDriveStateReplayGuard>();
        if (!await replayGuard.TryConsumeAsync(Scheme.Name, query["state"]!, Options.RemoteAuthenticationTimeout, Context.RequestAborted).ConfigureAwait(false))
        {
            Log.StateRejected(Logger, StateFailure.Reused);
            return HandleRequestResult.Fail(DescribeStateFailure(StateFailure.Reused), properties);
        }

        var error = query["error"];
        if (!StringValues.IsNullOrEmpty(error))
        {
            return await HandleRemoteErrorAsync(error, query["error_description"], query["error_uri"], properties).ConfigureAwait(false);
        }

        var code = query["code"];
        if (code.Count != 1 || !IsValidCode(code[0]))
        {
            Log.CodeRejected(Logger, code.Count);
            return HandleRequestResult.Fail("The Ellipsis Drive callback carries no valid 'code' parameter.", properties);
        }

        var codeExchangeContext = new OAuthCodeExchangeContext(properties, code[0]!, BuildRedirectUri(Options.CallbackPath));
        using var tokens = await ExchangeCodeAsync(codeExchangeContext).ConfigureAwait(false);

        if (tokens.Error is not null)
        {
            return HandleRequestResult.Fail(tokens.Error, properties);
        }

        if (string.IsNullOrEmpty(tokens.AccessToken))
        {
            return HandleRequestResult.Fail("The Ellipsis Drive token endpoint answered without an access token.", properties);
        }

        if (Options.SaveTokens)
        {
            properties.StoreTokens(CollectTokens(tokens));
        }

        try
        {
            var ticket = await CreateTicketAsync(new ClaimsIdentity(ClaimsIssuer), properties, tokens).ConfigureAwait(false);
            if (ticket is null)
            {
                return HandleRequestResult.Fail("Failed to retrieve user information from Ellipsis Drive.", properties);
            }

            if (Options.SaveTokens && Context.RequestServices.GetService<IEllipsisDriveTokenService>() is EllipsisDriveTokenService tokenService)
            {
                await tokenService.KeepGrantAtSignInAsync(Scheme.Name, ticket, Context.RequestAborted).ConfigureAwait(false);
            }

            Context.RequestServices.GetService<EllipsisDriveMetrics>()?.SignedIn(Scheme.Name);
            return HandleRequestResult.Success(ticket);
        }
        catch (AuthenticationFailureException exception)
        {
            return HandleRequestResult.Fail(exception, properties);
        }
    }

    /// <inheritdoc />
    protected override async Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The verifier is only needed here; it must not travel on into the authentication ticket.
        context.Properties.Items.Remove(OAuthConstants.CodeVerifierKey, out var codeVerifier);

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
        return new AuthenticationTicket(context.Principal!, context.Properties, Scheme.Name);
    }

    // Chunked, so an application that puts a lot in the properties gets several cookies rather than one the browser drops.
    // A forged "chunks-N" value then reads as an unreadable cookie instead of throwing.
    private static ChunkingCookieManager StateCookies { get; } = new() { ThrowForPartialCookies = false };

    /// <summary>
    /// HttpOnly, SameSite=Lax (it must come back on the provider's top-level redirect), scoped to the callback
    /// path, and Secure unless the application relaxed the correlation cookie's <c>SecurePolicy</c> too.
    /// </summary>
    private CookieOptions CreateStateCookieOptions(DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = Options.CorrelationCookie.SecurePolicy switch
        {
            CookieSecurePolicy.None => false,
            CookieSecurePolicy.SameAsRequest => Request.IsHttps,
            _ => true,
        },
        SameSite = SameSiteMode.Lax,
        IsEssential = true,
        Path = (OriginalPathBase + Options.CallbackPath).Value,
        Domain = Options.CorrelationCookie.Domain,
        Expires = expires,
    };

    private EllipsisDriveStateStore CreateStateStore() =>
        new(Options.DataProtectionProvider ?? throw new InvalidOperationException("The DataProtectionProvider option was not set; register the handler with AddEllipsisDrive()."), Scheme.Name);

    private StateReadResult RestoreProperties(StringValues stateValues)
    {
        var state = stateValues.Count == 1 ? stateValues[0] : null;
        if (!EllipsisDriveStateStore.IsWellFormed(state))
        {
            return StateReadResult.Failed(StateFailure.Missing);
        }

        var cookieName = EllipsisDriveStateStore.GetCookieName(state!);
        var cookieValue = StateCookies.GetRequestCookie(Context, cookieName);
        if (string.IsNullOrEmpty(cookieValue))
        {
            return StateReadResult.Failed(StateFailure.NotFound);
        }

        // One use only, whatever the outcome.
        StateCookies.DeleteCookie(Context, cookieName, CreateStateCookieOptions(expires: null));

        return CreateStateStore().Unprotect(cookieValue, state!, TimeProvider.GetUtcNow(), Options.RemoteAuthenticationTimeout);
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

    private async Task<HandleRequestResult> HandleRemoteErrorAsync(StringValues error, StringValues description, StringValues uri, AuthenticationProperties properties)
    {
        var errorText = EllipsisDriveText.Sanitize(error.ToString(), MaxErrorLength);
        var descriptionText = StringValues.IsNullOrEmpty(description) ? null : EllipsisDriveText.Sanitize(description.ToString(), MaxErrorDescriptionLength);

        // access_denied is the user saying no, not a fault: AccessDeniedPath / OnAccessDenied handle it.
        if (error.Count == 1 && string.Equals(error[0], "access_denied", StringComparison.Ordinal))
        {
            Log.AccessDenied(Logger);
            var result = await HandleAccessDeniedErrorAsync(properties).ConfigureAwait(false);
            if (!result.None)
            {
                return result;
            }

            return HandleRequestResult.Fail(CreateRemoteErrorException("Access was denied by the user or by Ellipsis Drive.", errorText, descriptionText, uri), properties);
        }

        Log.RemoteError(Logger, errorText);
        var message = descriptionText is null
            ? $"Ellipsis Drive answered the sign-in with the error '{errorText}'."
            : $"Ellipsis Drive answered the sign-in with the error '{errorText}': {descriptionText}";
        return HandleRequestResult.Fail(CreateRemoteErrorException(message, errorText, descriptionText, uri), properties);
    }

    private static AuthenticationFailureException CreateRemoteErrorException(string message, string error, string? description, StringValues uri)
    {
        var exception = new AuthenticationFailureException(message);
        exception.Data["error"] = error;
        exception.Data["error_description"] = description;
        exception.Data["error_uri"] = StringValues.IsNullOrEmpty(uri) ? null : EllipsisDriveText.Sanitize(uri.ToString(), MaxErrorDescriptionLength);
        return exception;
    }

    private List<AuthenticationToken> CollectTokens(OAuthTokenResponse tokens)
    {
        var authTokens = new List<AuthenticationToken> { new() { Name = TokenSnapshot.AccessTokenName, Value = tokens.AccessToken! } };
        if (!string.IsNullOrEmpty(tokens.RefreshToken))
        {
            authTokens.Add(new() { Name = TokenSnapshot.RefreshTokenName, Value = tokens.RefreshToken });
        }

        if (!string.IsNullOrEmpty(tokens.TokenType))
        {
            authTokens.Add(new() { Name = TokenSnapshot.TokenTypeName, Value = tokens.TokenType });
        }

        if (long.TryParse(tokens.ExpiresIn, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            var expiresAt = TimeProvider.GetUtcNow() + TimeSpan.FromSeconds(seconds);
            authTokens.Add(new() { Name = TokenSnapshot.ExpiresAtName, Value = expiresAt.ToString("o", CultureInfo.InvariantCulture) });
        }

        return authTokens;
    }

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
