using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OAuth;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Sends the two token requests Ellipsis Drive documents (authorization code and refresh token) with the
/// body encoding and client authentication the options choose, and reads the answer tolerantly.
/// Failures become an <see cref="EllipsisDriveTokenException"/> whose message carries the status and the
/// server's own message, with every secret of the request redacted.
/// </summary>
internal static class EllipsisDriveTokenClient
{
    private const int MaxServerMessageLength = 300;
    private const int MaxErrorCodeLength = 64;

    public static async Task<EllipsisDriveTokenSet> RedeemCodeAsync(
        EllipsisDriveOptions options, string code, string redirectUri, string? codeVerifier, CancellationToken cancellationToken)
    {
        using var answer = await RedeemCodeKeepingAnswerAsync(options, code, redirectUri, codeVerifier, cancellationToken).ConfigureAwait(false);
        return answer.Tokens;
    }

    /// <summary>
    /// Redeems a code and keeps the parsed answer, so the handler can hand it to <c>OAuthTokenResponse</c> instead of
    /// writing and parsing a copy; the caller owns (and disposes) <see cref="TokenAnswer.Document"/>.
    /// </summary>
    public static Task<TokenAnswer> RedeemCodeKeepingAnswerAsync(
        EllipsisDriveOptions options, string code, string redirectUri, string? codeVerifier, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>(capacity: 7)
        {
            new("grant_type", "authorization_code"),
            // The docs name the code "authorization_code"; RFC 6749 names it "code". Sending both works with either reading.
            new("authorization_code", code),
            new("code", code),
            new("redirect_uri", redirectUri),
        };

        if (!string.IsNullOrEmpty(codeVerifier))
        {
            parameters.Add(new("code_verifier", codeVerifier));
        }

        return SendAsync(options, parameters, code, codeVerifier, cancellationToken);
    }

    public static async Task<EllipsisDriveTokenSet> RefreshAsync(EllipsisDriveOptions options, string refreshToken, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>(capacity: 4)
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
        };

        using var answer = await SendAsync(options, parameters, refreshToken, null, cancellationToken).ConfigureAwait(false);
        return answer.Tokens;
    }

    private static async Task<TokenAnswer> SendAsync(
        EllipsisDriveOptions options, List<KeyValuePair<string, string>> parameters, string secret, string? otherSecret, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.TokenEndpoint);
        // Unparsed: it is only sent, never read back.
        request.Headers.TryAddWithoutValidation("Accept", "application/json");

        if (options.ClientAuthenticationMethod == EllipsisDriveClientAuthenticationMethod.BasicAuthentication)
        {
            // RFC 6749 section 2.3.1: both parts are form-encoded before being joined.
            var credentials = Uri.EscapeDataString(options.ClientId) + ":" + Uri.EscapeDataString(options.ClientSecret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            parameters.Add(new("client_id", options.ClientId));
            parameters.Add(new("client_secret", options.ClientSecret));
        }

        request.Content = options.TokenRequestEncoding == EllipsisDriveTokenRequestEncoding.FormUrlEncoded
            ? new FormUrlEncodedContent(parameters)
            : CreateJsonContent(parameters);
        request.Version = options.Backchannel.DefaultRequestVersion;

        HttpResponseMessage response;
        try
        {
            // The default completion option: the body is read (and bounded by MaxResponseContentBufferSize) here.
            response = await options.Backchannel.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EllipsisDriveTokenException(
                EllipsisDriveTokenErrorKind.Transient,
                $"The Ellipsis Drive token endpoint did not answer within {options.BackchannelTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (BackchannelTimeout).",
                innerException: exception);
        }
        catch (HttpRequestException exception)
        {
            throw new EllipsisDriveTokenException(
                EllipsisDriveTokenErrorKind.Transient,
                $"The Ellipsis Drive token endpoint could not be reached: {EllipsisDriveText.Sanitize(EllipsisDriveText.Redact(exception.Message, Secrets(options, secret, otherSecret)), MaxServerMessageLength)}",
                innerException: exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var document = await EllipsisDriveJson.TryParseAsync(response.Content, maxDepth: 16, cancellationToken).ConfigureAwait(false);
                var tokens = document is null ? null : EllipsisDriveTokenSet.TryParse(document.RootElement);
                if (tokens is null)
                {
                    document?.Dispose();
                    throw new EllipsisDriveTokenException(
                        EllipsisDriveTokenErrorKind.InvalidResponse,
                        $"The Ellipsis Drive token endpoint answered {Describe(response.StatusCode)} without an access token.",
                        status);
                }

                // Saved as is, such a token would break every later API call with a header-format error.
                if (!EllipsisDriveText.IsHeaderSafeToken(tokens.AccessToken))
                {
                    document!.Dispose();
                    throw new EllipsisDriveTokenException(
                        EllipsisDriveTokenErrorKind.InvalidResponse,
                        $"The Ellipsis Drive token endpoint answered {Describe(response.StatusCode)} with an access token that cannot be sent in an Authorization header (it contains spaces, line breaks or characters outside printable ASCII).",
                        status);
                }

                return new TokenAnswer(tokens, document!);
            }

            // Failures are rare: read as text, the way the error readers and the messages want it.
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var redact = Secrets(options, secret, otherSecret);
            var answer = EllipsisDriveJson.ReadError(body);
            var (error, description) = (answer.Error, answer.Description ?? answer.Message);
            var kind = Classify(response.StatusCode, error);
            var serverSays = description ?? error ?? (string.IsNullOrWhiteSpace(body) ? "an empty body" : "a body that is not an OAuth error");
            var message = error is not null && description is not null
                ? $"The Ellipsis Drive token endpoint answered {Describe(response.StatusCode)}: {error}: {description}"
                : $"The Ellipsis Drive token endpoint answered {Describe(response.StatusCode)}: {serverSays}";

            // The server's text goes into messages and, through them, into log lines: no control characters.
            throw new EllipsisDriveTokenException(
                kind,
                EllipsisDriveText.Sanitize(EllipsisDriveText.Redact(message, redact), MaxServerMessageLength),
                status,
                error is null ? null : EllipsisDriveText.Sanitize(EllipsisDriveText.Redact(error, redact), MaxErrorCodeLength));
        }
    }

    // Every secret of a request, for redaction: the code or refresh token, the PKCE verifier, the client secret.
    private static string[] Secrets(EllipsisDriveOptions options, string secret, string? otherSecret) =>
        string.IsNullOrEmpty(otherSecret) ? [secret, options.ClientSecret] : [secret, otherSecret, options.ClientSecret];

    // A flat object of strings, serialized with the source-generated context (no reflection); insertion order is kept.
    private static ByteArrayContent CreateJsonContent(List<KeyValuePair<string, string>> parameters)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>(parameters), EllipsisDriveJsonContext.Default.DictionaryStringString));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    internal static EllipsisDriveTokenErrorKind Classify(HttpStatusCode status, string? error)
    {
        if (string.Equals(error, "invalid_grant", StringComparison.Ordinal))
        {
            return EllipsisDriveTokenErrorKind.InvalidGrant;
        }

        if (string.Equals(error, "invalid_client", StringComparison.Ordinal) || status == HttpStatusCode.Unauthorized)
        {
            return EllipsisDriveTokenErrorKind.InvalidClient;
        }

        var code = (int)status;
        return code >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            ? EllipsisDriveTokenErrorKind.Transient
            : EllipsisDriveTokenErrorKind.Rejected;
    }

    private static string Describe(HttpStatusCode status) =>
        string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status} ({status})");
}

/// <summary>A successful token answer: the tokens read from it, and the parsed answer itself (owned by the holder).</summary>
internal readonly record struct TokenAnswer(EllipsisDriveTokenSet Tokens, JsonDocument Document) : IDisposable
{
    public void Dispose() => Document.Dispose();

    /// <summary>
    /// The answer as parsed (the response owns the document), with the RFC 6749 properties set to what the tolerant reader
    /// found (camelCase names, a fractional expires_in). With an access token it succeeded: an unsanitized 'error' beside
    /// it is no failure.
    /// </summary>
    public OAuthTokenResponse ToOAuthTokenResponse()
    {
        var response = OAuthTokenResponse.Success(Document);
        response.Error = null;
        response.AccessToken = Tokens.AccessToken;
        response.TokenType = Tokens.TokenType;
        response.RefreshToken = Tokens.RefreshToken;
        response.ExpiresIn = Tokens.ExpiresIn is { } expiresIn ? ((long)expiresIn.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null;
        return response;
    }
}
