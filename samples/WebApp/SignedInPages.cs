namespace WebApp;

/// <summary>
/// Every response to a signed-in user is <c>Cache-Control: no-store</c>: after sign-out, Back (and the back/forward
/// cache) must ask the server again, which answers with the sign-in page, instead of showing the previous user's pages
/// to the next person at the same browser.
/// </summary>
internal static class SignedInPages
{
    public static Task NoStoreAsync(HttpContext context, Func<Task> next)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            context.Response.OnStarting(static state =>
            {
                var response = (HttpResponse)state;
                response.Headers.CacheControl = "no-store";
                response.Headers.Pragma = "no-cache";
                return Task.CompletedTask;
            }, context.Response);
        }

        return next();
    }
}
