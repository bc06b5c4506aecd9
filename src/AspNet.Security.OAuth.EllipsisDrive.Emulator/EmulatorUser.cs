namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

/// <summary>
/// A user of the emulated Ellipsis Drive, who can be chosen on the consent page.
/// </summary>
public sealed class EmulatorUser
{
    /// <summary>
    /// Initializes a new instance of the <see cref="EmulatorUser"/> class.
    /// </summary>
    /// <param name="id">The user's id, a UUID.</param>
    /// <param name="username">The user's unique user name, shown on the consent page.</param>
    public EmulatorUser(string id, string username)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(username);
        if (!Guid.TryParse(id, out var parsed))
        {
            throw new ArgumentException("The user id must be a UUID, as Ellipsis Drive's are.", nameof(id));
        }

        Id = parsed.ToString("D");
        Username = username;
    }

    /// <summary>Gets the user's id, a lowercase UUID.</summary>
    public string Id { get; }

    /// <summary>Gets the user's unique user name.</summary>
    public string Username { get; }

    /// <summary>Gets or sets the user's e-mail address; <see langword="null"/> omits it from <c>/account</c>.</summary>
    public string? Email { get; set; }

    /// <summary>Gets or sets the user's display name; <see langword="null"/> omits it from <c>/account</c>.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the user's plan type, answered as <c>plan.type</c>. Defaults to <c>free</c>.</summary>
    public string PlanType { get; set; } = "free";

    /// <summary>Gets or sets a value indicating whether the account is disabled (a disabled user cannot consent).</summary>
    public bool Disabled { get; set; }
}
