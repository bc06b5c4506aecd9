using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

/// <summary><c>GET /v3/oauth/authorize</c> and the consent page's <c>POST /v3/oauth/authorize/consent</c>.</summary>
internal static class AuthorizeEndpoints
{
    public const string ConsentPath = "/v3/oauth/authorize/consent";

    private static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(10);

    public static Task AuthorizeAsync(HttpContext context, EmulatorState state)
    {
        var query = context.Request.Query;
        foreach (var name in (string[])["client_id", "redirect_uri"])
        {
            if (query[name].Count > 1)
            {
                return ErrorPage(context, state, EmulatorEndpoint.Authorize, $"The parameter '{name}' was sent more than once.");
            }
        }

        var clientId = Single(query, "client_id");
        if (clientId is null)
        {
            return ErrorPage(context, state, EmulatorEndpoint.Authorize, "The client_id parameter is missing.");
        }

        if (!state.Clients.TryGetValue(clientId, out var client))
        {
            return ErrorPage(context, state, EmulatorEndpoint.Authorize, "The client_id is not a registered client. Register it with EllipsisDriveEmulator.RegisterClient.");
        }

        var registered = ((SynchronizedCollection)client.RedirectUris).Snapshot();
        var redirectUri = Single(query, "redirect_uri");
        var redirectUriSent = redirectUri is not null;
        if (redirectUri is null)
        {
            if (registered.Length != 1)
            {
                return ErrorPage(context, state, EmulatorEndpoint.Authorize, "The redirect_uri parameter is missing; it may only be omitted when the client has exactly one registered redirect URI.");
            }

            redirectUri = registered[0];
        }
        else if (!registered.Contains(redirectUri, StringComparer.Ordinal))
        {
            return ErrorPage(context, state, EmulatorEndpoint.Authorize, "The redirect_uri does not exactly match a redirect URI registered for this client.");
        }

        var requestState = Single(query, "state");
        var error = Validate(state.Options, query, requestState, out var challenge, out var method);
        if (error is not null)
        {
            Log.Rejected(state.Logger, EmulatorEndpoint.Authorize, "invalid_request", error);
            Responses.Redirect(context, ErrorRedirect(redirectUri, "invalid_request", error, requestState));
            return Task.CompletedTask;
        }

        var requestId = Secrets.NewToken();
        state.Pending[requestId] = new PendingAuthorization(
            clientId,
            redirectUri,
            redirectUriSent,
            requestState,
            challenge,
            method,
            state.Now + PendingLifetime);

        return Responses.HtmlAsync(
            context,
            StatusCodes.Status200OK,
            "Ellipsis Drive emulator: authorize " + clientId,
            ConsentForm(state, clientId, redirectUri, requestId));
    }

    public static Task ConsentAsync(HttpContext context, EmulatorState state, string body)
    {
        if (RequestParser.GetBodyKind(context.Request.ContentType) != BodyKind.Form)
        {
            return ErrorPage(context, state, EmulatorEndpoint.Consent, "The consent form must be posted as application/x-www-form-urlencoded.");
        }

        var form = new QueryCollection(QueryHelpers.ParseQuery(body));
        var requestId = Single(form, "request_id");
        if (requestId is null || !state.Pending.TryGetValue(requestId, out var pending) || state.Now >= pending.ExpiresAt)
        {
            return ErrorPage(context, state, EmulatorEndpoint.Consent, "The authorization request is unknown, already answered or expired. Start the sign-in again.");
        }

        var decision = Single(form, "decision");
        if (decision is not ("allow" or "deny"))
        {
            return ErrorPage(context, state, EmulatorEndpoint.Consent, "The decision must be 'allow' or 'deny'.");
        }

        EmulatorUser? user = null;
        if (decision == "allow")
        {
            var userName = Single(form, "user");
            if (userName is null || !state.UsersByName.TryGetValue(userName, out user))
            {
                return ErrorPage(context, state, EmulatorEndpoint.Consent, "Choose one of the listed users.");
            }

            if (user.Disabled)
            {
                return ErrorPage(context, state, EmulatorEndpoint.Consent, "This account is disabled.");
            }
        }

        if (!state.Pending.TryRemove(requestId, out _))
        {
            return ErrorPage(context, state, EmulatorEndpoint.Consent, "The authorization request was already answered. Start the sign-in again.");
        }

        Log.ConsentGiven(state.Logger, user?.Username ?? "(none)", decision, pending.ClientId);
        if (user is null)
        {
            Responses.Redirect(context, ErrorRedirect(pending.RedirectUri, "access_denied", "The user has refused access.", pending.State));
            return Task.CompletedTask;
        }

        var code = state.Issue(Secrets.NewToken());
        state.Codes[code] = new AuthorizationCodeGrant(
            pending.ClientId,
            user.Id,
            pending.RedirectUri,
            pending.RedirectUriSent,
            pending.CodeChallenge,
            pending.CodeChallengeMethod,
            state.Now + state.Options.AuthorizationCodeLifetime);

        var parameters = new List<KeyValuePair<string, string?>> { new("code", code) };
        if (pending.State is not null)
        {
            parameters.Add(new("state", pending.State));
        }

        Responses.Redirect(context, QueryHelpers.AddQueryString(pending.RedirectUri, parameters));
        return Task.CompletedTask;
    }

    private static string? Validate(
        EllipsisDriveEmulatorOptions options,
        IQueryCollection query,
        string? requestState,
        out string? challenge,
        out string method)
    {
        challenge = Single(query, "code_challenge");
        method = "plain";
        foreach (var (name, values) in query)
        {
            if (values.Count > 1)
            {
                return $"The parameter '{name}' was sent more than once.";
            }
        }

        var responseType = Single(query, "response_type");
        if (responseType is null)
        {
            return "The response_type parameter is missing; it must be 'code'.";
        }

        if (responseType != "code")
        {
            return "The response_type must be 'code'.";
        }

        var scope = Single(query, "scope");
        if (scope is not null && scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(s => s != "projects"))
        {
            return "The scope may only be 'projects'.";
        }

        if (requestState is not null && options.StrictStateLength && requestState.Length > 50)
        {
            return "The state is longer than 50 characters.";
        }

        var requestedMethod = Single(query, "code_challenge_method");
        if (challenge is null)
        {
            return requestedMethod is null ? null : "The code_challenge_method was sent without a code_challenge.";
        }

        if (requestedMethod is not (null or "plain" or "S256"))
        {
            return "The code_challenge_method must be 'plain' or 'S256'.";
        }

        method = requestedMethod ?? "plain";
        if (!Secrets.IsValidPkceValue(challenge) || (method == "S256" && challenge.Length != 43))
        {
            return "The code_challenge is malformed (RFC 7636: 43 to 128 characters of A-Z a-z 0-9 - . _ ~; 43 for S256).";
        }

        return null;
    }

    private static string ConsentForm(EmulatorState state, string clientId, string redirectUri, string requestId)
    {
        var html = new StringBuilder()
            .Append("<h1>Authorize ").Append(WebUtility.HtmlEncode(clientId)).Append("</h1>\n")
            .Append("<p id=\"summary\">The application <strong>").Append(WebUtility.HtmlEncode(clientId))
            .Append("</strong> asks to access your Ellipsis Drive (scope: projects). You will return to <code>")
            .Append(WebUtility.HtmlEncode(redirectUri)).Append("</code>.</p>\n")
            .Append("<form id=\"consent\" method=\"post\" action=\"").Append(ConsentPath).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"request_id\" value=\"").Append(requestId).Append("\">\n")
            .Append("<fieldset>\n<legend>Sign in as</legend>\n");
        var first = true;
        foreach (var user in state.Users)
        {
            var name = WebUtility.HtmlEncode(user.Username);
            html.Append("<label><input type=\"radio\" id=\"user-").Append(name).Append("\" name=\"user\" value=\"").Append(name).Append('"')
                .Append(first ? " checked" : string.Empty)
                .Append(user.Disabled ? " disabled" : string.Empty)
                .Append("> ").Append(name);
            if (user.Name is not null)
            {
                html.Append(" (").Append(WebUtility.HtmlEncode(user.Name)).Append(')');
            }

            html.Append("</label>\n");
            first = false;
        }

        return html
            .Append("</fieldset>\n")
            .Append("<button type=\"submit\" id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>\n")
            .Append("<button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>\n")
            .Append("</form>\n")
            .ToString();
    }

    private static string ErrorRedirect(string redirectUri, string error, string description, string? requestState)
    {
        var parameters = new List<KeyValuePair<string, string?>>
        {
            new("error", error),
            new("error_description", description),
        };
        if (requestState is not null)
        {
            parameters.Add(new("state", requestState));
        }

        return QueryHelpers.AddQueryString(redirectUri, parameters);
    }

    private static Task ErrorPage(HttpContext context, EmulatorState state, EmulatorEndpoint endpoint, string message)
    {
        Log.Rejected(state.Logger, endpoint, "error_page", message);
        return Responses.ErrorPageAsync(context, message);
    }

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count == 1 && !StringValues.IsNullOrEmpty(values) ? values[0] : null;
}
