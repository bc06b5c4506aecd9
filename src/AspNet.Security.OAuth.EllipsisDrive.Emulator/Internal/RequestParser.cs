using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

internal enum BodyKind
{
    Empty,
    Json,
    Form,
    Other,
}

/// <summary>Parses query strings and token request bodies, keeping repeated names so the endpoints can reject them.</summary>
internal static class RequestParser
{
    public static BodyKind GetBodyKind(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return BodyKind.Empty;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return BodyKind.Other;
        }

        if (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return BodyKind.Json;
        }

        return mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? BodyKind.Form
            : BodyKind.Other;
    }

    public static IReadOnlyDictionary<string, string> ParseQuery(string queryString) =>
        First(QueryHelpers.ParseQuery(queryString));

    public static IReadOnlyDictionary<string, string> ParseBody(string? contentType, string body) =>
        TryParseBody(GetBodyKind(contentType), body, out var parameters, out _)
            ? First(parameters)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Parses a form body, or a JSON body that must be an object of string values.
    /// </summary>
    public static bool TryParseBody(BodyKind kind, string body, out Dictionary<string, StringValues> parameters, out string? error)
    {
        error = null;
        switch (kind)
        {
            case BodyKind.Form:
                parameters = QueryHelpers.ParseQuery(body);
                return true;
            case BodyKind.Json:
                return TryParseJson(body, out parameters, out error);
            default:
                parameters = new Dictionary<string, StringValues>(StringComparer.Ordinal);
                return kind == BodyKind.Empty;
        }
    }

    private static bool TryParseJson(string body, out Dictionary<string, StringValues> parameters, out string? error)
    {
        parameters = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        error = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "The JSON body must be an object.";
                return false;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : property.Value.GetRawText();
                parameters[property.Name] = parameters.TryGetValue(property.Name, out var existing)
                    ? StringValues.Concat(existing, value)
                    : new StringValues(value);
            }

            return true;
        }
        catch (JsonException)
        {
            error = "The body is not valid JSON.";
            return false;
        }
    }

    private static Dictionary<string, string> First(Dictionary<string, StringValues> values)
    {
        var result = new Dictionary<string, string>(values.Count, StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            result[name] = value.Count > 0 ? value[0] ?? string.Empty : string.Empty;
        }

        return result;
    }
}
