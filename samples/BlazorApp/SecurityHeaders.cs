namespace BlazorApp;

/// <summary>Conservative response headers for every page.</summary>
internal static class SecurityHeaders
{
    public static Task AddAsync(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        // 'self' covers the circuit's WebSocket and long-polling requests. No form-action: the sign-in form's POST is
        // answered with a redirect to Ellipsis Drive.
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
        return next();
    }
}
