using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

internal static class Responses
{
    // One stylesheet for the emulator's pages, allowed by its hash: the pages keep a CSP that runs no script and loads nothing.
    private const string Stylesheet = """
        :root { color-scheme: light dark; --accent: #6d28d9; --warn: #b45309; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        body { margin: 0; background: #f4f4f8; color: #1f2330; }
        @media (prefers-color-scheme: dark) { body { background: #15161c; color: #e6e7ee; } main { background: #1f2130; border-color: #33364a; } }
        .emulator-banner { background: repeating-linear-gradient(-45deg, #fde68a, #fde68a 12px, #fcd34d 12px, #fcd34d 24px); color: #422006; text-align: center; padding: .6rem 1rem; font-weight: 600; border-bottom: 2px solid var(--warn); }
        main { max-width: 28rem; margin: 2.5rem auto; padding: 1.75rem 2rem; background: #fff; border: 1px solid #dcdce6; border-radius: 12px; box-shadow: 0 8px 24px rgba(0, 0, 0, .08); }
        h1 { font-size: 1.35rem; margin: 0 0 .75rem; }
        p { line-height: 1.5; }
        code { word-break: break-all; font-size: .85em; }
        fieldset { border: 1px solid #c9c9d6; border-radius: 8px; margin: 1.25rem 0; padding: .5rem 1rem 1rem; }
        legend { font-weight: 600; padding: 0 .35rem; }
        label { display: block; padding: .45rem 0; cursor: pointer; }
        input[disabled] + span, label:has(input[disabled]) { opacity: .55; cursor: not-allowed; }
        button { font: inherit; border-radius: 8px; padding: .55rem 1.4rem; margin-right: .5rem; cursor: pointer; border: 1px solid var(--accent); }
        #allow { background: var(--accent); color: #fff; }
        #deny { background: transparent; color: inherit; }
        #error { color: #b91c1c; font-weight: 600; }
        """;

    private static readonly string ContentSecurityPolicy =
        "default-src 'none'; style-src 'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Stylesheet))) + "'; frame-ancestors 'none'";

    public static Task JsonAsync(HttpContext context, int statusCode, JsonObject body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>The error shape of the Ellipsis Drive API outside the token endpoint.</summary>
    public static Task MessageAsync(HttpContext context, int statusCode, string message) =>
        JsonAsync(context, statusCode, new JsonObject { ["message"] = message });

    public static void Redirect(HttpContext context, string location)
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = location;
        context.Response.Headers.CacheControl = "no-store";
    }

    public static Task HtmlAsync(HttpContext context, int statusCode, string title, string bodyHtml)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XFrameOptions = "DENY";
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
            .Append(WebUtility.HtmlEncode(title))
            .Append("</title>\n<style>").Append(Stylesheet).Append("</style>\n</head>\n<body>\n")
            .Append("<div class=\"emulator-banner\" id=\"emulator-notice\" role=\"note\">Ellipsis Drive emulator: not the real Ellipsis Drive. For development and tests only; no real account is used.</div>\n")
            .Append("<main>\n")
            .Append(bodyHtml)
            .Append("</main>\n</body>\n</html>\n")
            .ToString();
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    public static Task ErrorPageAsync(HttpContext context, string message) =>
        HtmlAsync(
            context,
            StatusCodes.Status400BadRequest,
            "Ellipsis Drive emulator: authorization error",
            "<h1>Authorization error</h1>\n<p id=\"error\">" + WebUtility.HtmlEncode(message) + "</p>\n");
}
