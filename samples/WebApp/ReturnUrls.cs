using Microsoft.AspNetCore.Mvc;

namespace WebApp;

/// <summary>Where the browser may go after signing in: only to a page of this app.</summary>
internal static class ReturnUrls
{
    public const string Default = "/Account";

    /// <summary>
    /// Returns <paramref name="returnUrl"/> when it is a local URL, and <see cref="Default"/> otherwise.
    /// <see cref="IUrlHelper.IsLocalUrl"/> rejects absolute URLs, protocol-relative <c>//host</c>, <c>/\host</c>
    /// and control characters; an encoded form such as <c>%2F%2Fhost</c> is not a path at all (model binding has
    /// already decoded the query once), so it is rejected too.
    /// </summary>
    public static string Sanitize(IUrlHelper url, string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && url.IsLocalUrl(returnUrl) && returnUrl[0] != '~'
            ? returnUrl
            : Default;
}
