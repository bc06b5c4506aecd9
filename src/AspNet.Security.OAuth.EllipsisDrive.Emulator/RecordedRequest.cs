using AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

/// <summary>
/// A request the emulator received, recorded before any fault was applied.
/// </summary>
/// <param name="Timestamp">When the request arrived, read from the emulator's <see cref="EllipsisDriveEmulatorOptions.TimeProvider"/>.</param>
/// <param name="Endpoint">The endpoint the request addressed; <see langword="null"/> for an unknown path or token grant type.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path, e.g. <c>/v3/oauth/token</c>.</param>
/// <param name="QueryString">The raw query string including its leading <c>?</c>, or empty.</param>
/// <param name="Headers">The request headers (case-insensitive names; repeated headers joined with <c>", "</c>).</param>
/// <param name="Body">The request body as UTF-8 text, or empty.</param>
public sealed record RecordedRequest(
    DateTimeOffset Timestamp,
    EmulatorEndpoint? Endpoint,
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    string Body)
{
    /// <summary>Gets the request's content type, or <see langword="null"/>.</summary>
    public string? ContentType => Headers.TryGetValue("Content-Type", out var value) ? value : null;

    /// <summary>Gets the query string parameters (repeated names keep their first value).</summary>
    public IReadOnlyDictionary<string, string> Query => RequestParser.ParseQuery(QueryString);

    /// <summary>
    /// Gets the body parameters: the fields of a form body or the top-level properties of a JSON object body
    /// (non-string JSON values as their raw JSON text). Empty for any other body.
    /// </summary>
    public IReadOnlyDictionary<string, string> Form => RequestParser.ParseBody(ContentType, Body);

    /// <summary>Gets the query and body parameters together; a body parameter wins over a query parameter of the same name.</summary>
    public IReadOnlyDictionary<string, string> Parameters
    {
        get
        {
            var merged = new Dictionary<string, string>(Query, StringComparer.Ordinal);
            foreach (var (name, value) in Form)
            {
                merged[name] = value;
            }

            return merged;
        }
    }
}
