using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

internal static class Responses
{
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
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(WebUtility.HtmlEncode(title))
            .Append("</title>\n</head>\n<body>\n<main>\n")
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
