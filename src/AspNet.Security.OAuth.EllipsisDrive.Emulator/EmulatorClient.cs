using AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

/// <summary>
/// An OAuth client registered with the emulator, as registered in Ellipsis Drive's developer settings.
/// </summary>
public sealed class EmulatorClient
{
    internal EmulatorClient(string clientId, string clientSecret, IEnumerable<string> redirectUris)
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        RedirectUris = new SynchronizedCollection(redirectUris);
    }

    /// <summary>Gets the client id.</summary>
    public string ClientId { get; }

    /// <summary>Gets the client secret.</summary>
    public string ClientSecret { get; }

    /// <summary>
    /// Gets the registered redirect (callback) URIs, compared exactly. The collection is thread-safe and may be
    /// changed while the emulator runs; enumerating it gives a snapshot.
    /// </summary>
    public ICollection<string> RedirectUris { get; }
}
