using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

/// <summary><c>POST /v3/oauth/token</c>: the authorization-code and refresh-token grants.</summary>
internal static class TokenEndpoint
{
    public static Task HandleAsync(HttpContext context, EmulatorState state, string body)
    {
        var options = state.Options;
        var kind = RequestParser.GetBodyKind(context.Request.ContentType);
        switch (kind)
        {
            case BodyKind.Json when !options.AcceptJsonTokenRequests:
                return ErrorAsync(context, state, null, StatusCodes.Status415UnsupportedMediaType, "invalid_request", "This server does not accept application/json token requests (EllipsisDriveEmulatorOptions.AcceptJsonTokenRequests is false); send application/x-www-form-urlencoded.");
            case BodyKind.Form when !options.AcceptFormTokenRequests:
                return ErrorAsync(context, state, null, StatusCodes.Status415UnsupportedMediaType, "invalid_request", "This server does not accept application/x-www-form-urlencoded token requests (EllipsisDriveEmulatorOptions.AcceptFormTokenRequests is false); send application/json.");
            case BodyKind.Empty or BodyKind.Other:
                return ErrorAsync(context, state, null, StatusCodes.Status415UnsupportedMediaType, "invalid_request", "The token request body must be application/json or application/x-www-form-urlencoded.");
        }

        if (!RequestParser.TryParseBody(kind, body, out var parameters, out var parseError))
        {
            return ErrorAsync(context, state, null, StatusCodes.Status400BadRequest, "invalid_request", parseError ?? "The body could not be parsed.");
        }

        foreach (var (name, values) in parameters)
        {
            if (values.Count > 1)
            {
                return ErrorAsync(context, state, null, StatusCodes.Status400BadRequest, "invalid_request", $"The parameter '{name}' was sent more than once.");
            }
        }

        var grantType = Get(parameters, "grant_type");
        var endpoint = EndpointOf(grantType);

        var clientError = Authenticate(context, state, parameters, out var client, out var usedBasic);
        if (clientError is not null)
        {
            if (usedBasic)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"ellipsis-drive-emulator\"";
            }

            return clientError.Value.Status == StatusCodes.Status401Unauthorized
                ? ErrorAsync(context, state, endpoint, StatusCodes.Status401Unauthorized, "invalid_client", clientError.Value.Description)
                : ErrorAsync(context, state, endpoint, clientError.Value.Status, "invalid_request", clientError.Value.Description);
        }

        return grantType switch
        {
            null => ErrorAsync(context, state, null, StatusCodes.Status400BadRequest, "invalid_request", "The grant_type parameter is missing."),
            "authorization_code" => ExchangeCodeAsync(context, state, client!, parameters),
            "refresh_token" => RefreshAsync(context, state, client!, parameters),
            _ => ErrorAsync(context, state, null, StatusCodes.Status400BadRequest, "unsupported_grant_type", "The grant_type must be 'authorization_code' or 'refresh_token'."),
        };
    }

    /// <summary>The endpoint a token request addresses, by its <c>grant_type</c>; <see langword="null"/> for any other grant type.</summary>
    public static EmulatorEndpoint? EndpointOf(string? grantType) => grantType switch
    {
        "authorization_code" => EmulatorEndpoint.TokenAuthorizationCode,
        "refresh_token" => EmulatorEndpoint.TokenRefresh,
        _ => null,
    };

    private static Task ExchangeCodeAsync(HttpContext context, EmulatorState state, EmulatorClient client, Dictionary<string, StringValues> parameters)
    {
        const EmulatorEndpoint Endpoint = EmulatorEndpoint.TokenAuthorizationCode;
        var code = Get(parameters, "authorization_code");
        if (code is null)
        {
            var hint = parameters.ContainsKey("code")
                ? " Ellipsis Drive names it 'authorization_code', not RFC 6749's 'code'."
                : string.Empty;
            return InvalidRequest(context, state, Endpoint, "The authorization_code parameter is missing." + hint);
        }

        if (!state.Codes.TryGetValue(code, out var grant))
        {
            return InvalidGrant(context, state, Endpoint, "The authorization code is invalid or was already used.");
        }

        if (state.Now >= grant.ExpiresAt)
        {
            state.Codes.TryRemove(code, out _);
            return InvalidGrant(context, state, Endpoint, "The authorization code has expired.");
        }

        if (grant.ClientId != client.ClientId)
        {
            return InvalidGrant(context, state, Endpoint, "The authorization code was issued to another client.");
        }

        var redirectUri = Get(parameters, "redirect_uri");
        if (grant.RedirectUriSent && redirectUri is null)
        {
            return InvalidRequest(context, state, Endpoint, "The redirect_uri parameter is required because one was sent to /oauth/authorize.");
        }

        if (redirectUri is not null && redirectUri != grant.RedirectUri)
        {
            return InvalidGrant(context, state, Endpoint, "The redirect_uri does not match the one of the authorization request.");
        }

        var verifier = Get(parameters, "code_verifier");
        if (grant.CodeChallenge is null)
        {
            if (verifier is not null)
            {
                return InvalidRequest(context, state, Endpoint, "A code_verifier was sent but no code_challenge was sent to /oauth/authorize.");
            }
        }
        else
        {
            if (verifier is null)
            {
                return InvalidRequest(context, state, Endpoint, "The code_verifier parameter is required because a code_challenge was sent to /oauth/authorize.");
            }

            if (!Secrets.IsValidPkceValue(verifier))
            {
                return InvalidRequest(context, state, Endpoint, "The code_verifier is malformed (RFC 7636: 43 to 128 characters of A-Z a-z 0-9 - . _ ~).");
            }

            var computed = grant.CodeChallengeMethod == "S256" ? Secrets.S256(verifier) : verifier;
            if (!Secrets.FixedTimeEquals(computed, grant.CodeChallenge))
            {
                return InvalidGrant(context, state, Endpoint, "The code_verifier does not match the code_challenge.");
            }
        }

        // Removal is the single point of truth for single use: of two concurrent exchanges only one removes the code.
        if (!state.Codes.TryRemove(code, out _))
        {
            return InvalidGrant(context, state, Endpoint, "The authorization code is invalid or was already used.");
        }

        return IssueAsync(context, state, client, grant.UserId, state.Options.IncludeRefreshToken, "authorization_code");
    }

    private static Task RefreshAsync(HttpContext context, EmulatorState state, EmulatorClient client, Dictionary<string, StringValues> parameters)
    {
        const EmulatorEndpoint Endpoint = EmulatorEndpoint.TokenRefresh;
        var refreshToken = Get(parameters, "refresh_token");
        if (refreshToken is null)
        {
            return InvalidRequest(context, state, Endpoint, "The refresh_token parameter is missing.");
        }

        var scope = Get(parameters, "scope");
        if (scope is not null && scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(s => s != "projects"))
        {
            return ErrorAsync(context, state, Endpoint, StatusCodes.Status400BadRequest, "invalid_scope", "The scope may only be 'projects'.");
        }

        if (!state.RefreshTokens.TryGetValue(refreshToken, out var grant) || grant.ClientId != client.ClientId)
        {
            return InvalidGrant(context, state, Endpoint, "The refresh token is invalid, was rotated away, or was issued to another client.");
        }

        var rotate = state.Options.RotateRefreshTokens;

        // Removal makes rotation atomic: of two concurrent uses of one token only one removes it.
        if (rotate && !state.RefreshTokens.TryRemove(refreshToken, out _))
        {
            return InvalidGrant(context, state, Endpoint, "The refresh token is invalid, was rotated away, or was issued to another client.");
        }

        return IssueAsync(context, state, client, grant.UserId, rotate, "refresh_token");
    }

    private static Task IssueAsync(HttpContext context, EmulatorState state, EmulatorClient client, string userId, bool includeRefreshToken, string grantType)
    {
        var options = state.Options;
        var lifetime = options.AccessTokenLifetime;
        var accessToken = state.Issue(Secrets.NewToken());
        state.AccessTokens[accessToken] = new AccessTokenGrant(client.ClientId, userId, state.Now + lifetime);

        string? refreshToken = null;
        if (includeRefreshToken)
        {
            refreshToken = state.Issue(Secrets.NewToken());
            state.RefreshTokens[refreshToken] = new RefreshTokenGrant(client.ClientId, userId);
        }

        Log.TokensIssued(state.Logger, client.ClientId, userId, grantType);
        var camel = options.TokenResponseNaming == EmulatorTokenResponseNaming.CamelCase;
        var response = new JsonObject
        {
            [camel ? "accessToken" : "access_token"] = accessToken,
            [camel ? "tokenType" : "token_type"] = "Bearer",
        };
        if (lifetime is { } value)
        {
            response[camel ? "expiresIn" : "expires_in"] = (long)value.TotalSeconds;
        }

        if (refreshToken is not null)
        {
            response[camel ? "refreshToken" : "refresh_token"] = refreshToken;
        }

        response["scope"] = "projects";
        context.Response.Headers.Pragma = "no-cache";
        return Responses.JsonAsync(context, StatusCodes.Status200OK, response);
    }

    /// <summary>Client authentication per RFC 6749 section 2.3.1: HTTP Basic (URL-decoded parts) or body parameters, not both.</summary>
    private static (int Status, string Description)? Authenticate(
        HttpContext context,
        EmulatorState state,
        Dictionary<string, StringValues> parameters,
        out EmulatorClient? client,
        out bool usedBasic)
    {
        client = null;
        usedBasic = false;
        string? clientId;
        string? clientSecret;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            const string Scheme = "Basic ";
            usedBasic = true;
            if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            {
                return (StatusCodes.Status401Unauthorized, "Client authentication must use HTTP Basic or the client_id and client_secret body parameters.");
            }

            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[Scheme.Length..].Trim()));
            }
            catch (FormatException)
            {
                return (StatusCodes.Status401Unauthorized, "The HTTP Basic credentials are not valid base64.");
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return (StatusCodes.Status401Unauthorized, "The HTTP Basic credentials must be client_id:client_secret.");
            }

            clientId = WebUtility.UrlDecode(decoded[..colon]);
            clientSecret = WebUtility.UrlDecode(decoded[(colon + 1)..]);
            if (parameters.ContainsKey("client_secret"))
            {
                return (StatusCodes.Status400BadRequest, "Use one client authentication method: HTTP Basic or client_secret in the body, not both.");
            }

            if (Get(parameters, "client_id") is { } bodyClientId && bodyClientId != clientId)
            {
                return (StatusCodes.Status400BadRequest, "The client_id in the body differs from the HTTP Basic user name.");
            }
        }
        else
        {
            clientId = Get(parameters, "client_id");
            clientSecret = Get(parameters, "client_secret");
            if (clientId is null || clientSecret is null)
            {
                return (StatusCodes.Status401Unauthorized, "Client authentication is required: send client_id and client_secret in the body or as HTTP Basic credentials.");
            }
        }

        if (!state.Clients.TryGetValue(clientId, out var found) || !Secrets.FixedTimeEquals(clientSecret, found.ClientSecret))
        {
            return (StatusCodes.Status401Unauthorized, "The client is unknown or the client secret is wrong.");
        }

        client = found;
        return null;
    }

    private static Task InvalidGrant(HttpContext context, EmulatorState state, EmulatorEndpoint endpoint, string description) =>
        ErrorAsync(context, state, endpoint, StatusCodes.Status400BadRequest, "invalid_grant", description);

    private static Task InvalidRequest(HttpContext context, EmulatorState state, EmulatorEndpoint endpoint, string description) =>
        ErrorAsync(context, state, endpoint, StatusCodes.Status400BadRequest, "invalid_request", description);

    private static Task ErrorAsync(HttpContext context, EmulatorState state, EmulatorEndpoint? endpoint, int status, string error, string description)
    {
        Log.Rejected(state.Logger, endpoint, error, description);
        context.Response.Headers.Pragma = "no-cache";
        return Responses.JsonAsync(context, status, new JsonObject
        {
            ["error"] = error,
            ["error_description"] = description,
        });
    }

    private static string? Get(Dictionary<string, StringValues> parameters, string name) =>
        parameters.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values) ? values[0] : null;
}
