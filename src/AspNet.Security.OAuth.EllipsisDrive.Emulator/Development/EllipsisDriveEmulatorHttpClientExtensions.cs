using System.Net;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

/// <summary>
/// Signs a test's <see cref="HttpClient"/> in to an app that runs on the emulator.
/// </summary>
public static class EllipsisDriveEmulatorHttpClientExtensions
{
    /// <summary>
    /// Requests <paramref name="challengePath"/> (a page of the app that challenges the Ellipsis Drive scheme on GET),
    /// consents at the emulator as <paramref name="userName"/>, and follows the redirect back to the app's callback, so
    /// that the client's cookies hold the signed-in session.
    /// </summary>
    /// <remarks>
    /// The client must keep cookies and must not follow redirects, and its base address must be <c>https</c>: the sign-in's
    /// state cookie is <c>Secure</c>, which a <see cref="CookieContainer"/> does not send over <c>http</c> (browsers make an
    /// exception for <c>localhost</c>). With a <c>WebApplicationFactory</c>:
    /// <c>factory.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost/") })</c>.
    /// </remarks>
    /// <param name="client">The client of the app, with its base address.</param>
    /// <param name="emulator">The emulator the app runs on.</param>
    /// <param name="challengePath">The app's path that starts the sign-in, e.g. <c>/signin</c>.</param>
    /// <param name="userName">The emulator user who consents (<c>alice</c> and <c>bob</c> are seeded).</param>
    /// <param name="cancellationToken">Cancels the sign-in.</param>
    /// <returns>The app's answer to the callback: a redirect to the page the sign-in returns to when it succeeded.</returns>
    public static async Task<HttpResponseMessage> SignInWithEllipsisDriveEmulatorAsync(
        this HttpClient client,
        EllipsisDriveEmulator emulator,
        string challengePath,
        string userName = "alice",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentNullException.ThrowIfNull(challengePath);

        using var challenge = await client.GetAsync(new Uri(challengePath, UriKind.RelativeOrAbsolute), cancellationToken).ConfigureAwait(false);
        var authorizationUrl = challenge.Headers.Location;
        if (challenge.StatusCode != HttpStatusCode.Redirect || authorizationUrl is null
            || !authorizationUrl.IsAbsoluteUri || !emulator.BaseAddress.IsBaseOf(authorizationUrl))
        {
            throw new InvalidOperationException(
                $"GET {challengePath} answered {(int)challenge.StatusCode} {authorizationUrl}, not a redirect to the emulator at {emulator.BaseAddress}: " +
                "is the app on the emulator (AddEllipsisDriveEmulator), does the path challenge the Ellipsis Drive scheme, and does the client leave redirects alone?");
        }

        var callback = await emulator.ConsentAsync(authorizationUrl, userName, allow: true, cancellationToken).ConfigureAwait(false);
        return await client.GetAsync(callback, cancellationToken).ConfigureAwait(false);
    }
}
