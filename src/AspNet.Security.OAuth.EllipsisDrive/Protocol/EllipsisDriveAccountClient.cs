using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Reads the signed-in user from <c>GET {BaseAddress}account</c>. Every failure is an
/// <see cref="AuthenticationFailureException"/> that says what the endpoint answered, with the access token redacted.
/// </summary>
internal static partial class EllipsisDriveAccountClient
{
    private const int MaxServerMessageLength = 300;

    /// <summary>The account as a JSON object; the caller disposes it.</summary>
    public static async Task<JsonDocument> GetAsync(EllipsisDriveOptions options, string accessToken, ILogger logger, CancellationToken cancellationToken)
    {
        var backchannel = options.Backchannel;
        using var request = new HttpRequestMessage(HttpMethod.Get, options.UserInformationEndpoint);
        request.Headers.TryAddWithoutValidation("Accept", "application/json"); // Only sent: no need to parse it.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Version = backchannel.DefaultRequestVersion;

        HttpResponseMessage response;
        try
        {
            response = await backchannel.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            Log.AccountRequestFailed(logger, null);
            throw new AuthenticationFailureException(
                string.Create(CultureInfo.InvariantCulture, $"The Ellipsis Drive account endpoint did not answer within {options.BackchannelTimeout.TotalSeconds} s (BackchannelTimeout)."),
                exception);
        }
        catch (HttpRequestException exception)
        {
            Log.AccountRequestFailed(logger, null);
            throw new AuthenticationFailureException("The Ellipsis Drive account endpoint could not be reached: " + EllipsisDriveText.Redact(exception.Message, [accessToken]), exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is < 200 or > 299)
            {
                var errorBody = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                Log.AccountRequestFailed(logger, status);
                throw new AuthenticationFailureException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The Ellipsis Drive account endpoint answered HTTP {status}: {EllipsisDriveText.Redact(DescribeErrorBody(errorBody), [accessToken])}"));
            }

            // Parsed from the buffered bytes: no string of the whole answer.
            var document = await EllipsisDriveJson.TryParseAsync(response.Content, maxDepth: 32, cancellationToken).ConfigureAwait(false);
            if (document?.RootElement.ValueKind != JsonValueKind.Object)
            {
                document?.Dispose();
                Log.AccountRequestFailed(logger, status);
                var empty = response.Content.Headers.ContentLength == 0
                    || string.IsNullOrWhiteSpace(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                throw new AuthenticationFailureException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The Ellipsis Drive account endpoint answered HTTP {status} with {(empty ? "an empty body" : "a body that is not a JSON object")}."));
            }

            return document;
        }
    }

    /// <summary>
    /// The user's stable identifier: <c>id</c>, else <c>username</c> (<paramref name="fromUsername"/> then says so).
    /// </summary>
    public static string ReadId(JsonElement account, out bool fromUsername)
    {
        var id = account.TryGetProperty("id", out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

        fromUsername = string.IsNullOrWhiteSpace(id);
        if (fromUsername)
        {
            id = account.TryGetProperty("username", out var username) && username.ValueKind == JsonValueKind.String ? username.GetString() : null;
        }

        return string.IsNullOrWhiteSpace(id)
            ? throw new AuthenticationFailureException("The Ellipsis Drive account answer has neither an 'id' nor a 'username': the user cannot be identified.")
            : id;
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 6, EventName = "AccountRequestFailed", Level = LogLevel.Warning,
            Message = "The Ellipsis Drive account request failed (HTTP status {StatusCode}; none when it did not answer).")]
        public static partial void AccountRequestFailed(ILogger logger, int? statusCode);
    }
}
