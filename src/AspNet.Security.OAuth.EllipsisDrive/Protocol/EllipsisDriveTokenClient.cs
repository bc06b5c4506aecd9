using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

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

    public static Task<EllipsisDriveTokenSet> RedeemCodeAsync(
        EllipsisDriveOptions options, string code, string redirectUri, string? codeVerifier, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>
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

        return SendAsync(options, parameters, [code, codeVerifier], cancellationToken);
    }

    public static Task<EllipsisDriveTokenSet> RefreshAsync(EllipsisDriveOptions options, string refreshToken, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
        };

        return SendAsync(options, parameters, [refreshToken], cancellationToken);
    }

    private static async Task<EllipsisDriveTokenSet> SendAsync(
        EllipsisDriveOptions options, List<KeyValuePair<string, string>> parameters, string?[] secrets, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.TokenEndpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

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

        string[] redact = [.. secrets.Where(s => !string.IsNullOrEmpty(s))!, options.ClientSecret];

        HttpResponseMessage response;
        string body;
        try
        {
            response = await options.Backchannel.SendAsync(request, cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
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
                $"The Ellipsis Drive token endpoint could not be reached: {EllipsisDriveText.Sanitize(EllipsisDriveText.Redact(exception.Message, redact), MaxServerMessageLength)}",
                innerException: exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var tokens = EllipsisDriveTokenSet.TryParse(body) ?? throw new EllipsisDriveTokenException(
                    EllipsisDriveTokenErrorKind.InvalidResponse,
                    $"The Ellipsis Drive token endpoint answered {Describe(response.StatusCode)} without an access token.",
                    status);

                // Saved as is, such a token would break every later API call with a header-format error.
                return EllipsisDriveText.IsHeaderSafeToken(tokens.AccessToken) ? tokens : throw new EllipsisDriveTokenException(
                    EllipsisDriveTokenErrorKind.InvalidResponse,
                    $"The Ellipsis Drive token endpoint answered {Describe(response.StatusCode)} with an access token that cannot be sent in an Authorization header (it contains spaces, line breaks or characters outside printable ASCII).",
                    status);
            }

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

    // A flat object of strings: written directly rather than through a dictionary and the reflection serializer.
    private static ByteArrayContent CreateJsonContent(List<KeyValuePair<string, string>> parameters)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in parameters)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
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
