namespace WebApp.Models;

/// <summary>What the account page shows. It has no place for a token value.</summary>
/// <param name="Name">The display name, or the user name.</param>
/// <param name="Username">The Ellipsis Drive user name.</param>
/// <param name="Id">The Ellipsis Drive user id.</param>
/// <param name="Email">The e-mail address, when the account has one.</param>
/// <param name="Plan">The plan, for example <c>pro</c>.</param>
/// <param name="Tokens">When the access token expires and was refreshed.</param>
/// <param name="Mode">Where the tokens are kept.</param>
/// <param name="Status">The outcome of the last action, if any.</param>
public sealed record AccountViewModel(
    string Name,
    string? Username,
    string? Id,
    string? Email,
    string? Plan,
    TokenStatus Tokens,
    string Mode,
    string? Status);
