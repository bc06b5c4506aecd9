using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// Points the token layer at the app's Ellipsis Drive scheme: when <see cref="EllipsisDriveTokenOptions.Scheme"/> is not
/// set and exactly one Ellipsis Drive scheme is registered, that one, whatever its name. Validation (run at start-up)
/// fails, naming the option, when the scheme it names is not an Ellipsis Drive scheme, or when several are registered
/// and none was chosen: either would otherwise send the API calls elsewhere or refresh with another scheme's client.
/// </summary>
/// <remarks>
/// Reads the schemes registered with <c>AddAuthentication()</c> (<see cref="AuthenticationOptions.Schemes"/>), as the
/// scheme provider only answers asynchronously.
/// </remarks>
internal sealed class EllipsisDriveTokenSchemeSetup(IOptions<AuthenticationOptions> authenticationOptions)
    : IPostConfigureOptions<EllipsisDriveTokenOptions>, IValidateOptions<EllipsisDriveTokenOptions>
{
    public void PostConfigure(string? name, EllipsisDriveTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsSchemeSet && EllipsisDriveSchemes() is [var only])
        {
            options.Scheme = only;
        }
    }

    public ValidateOptionsResult Validate(string? name, EllipsisDriveTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var schemes = EllipsisDriveSchemes();
        if (!options.IsSchemeSet)
        {
            // None registered: the default scheme name, as always (its options may be configured without AddEllipsisDrive).
            return schemes.Count > 1
                ? ValidateOptionsResult.Fail(
                    $"Several Ellipsis Drive schemes are registered ({Names(schemes)}) and EllipsisDriveTokenOptions.Scheme does not say which one the token service and the HttpClient handler use: set it, for example AddEllipsisDriveTokens(options => options.Scheme = \"{schemes[0]}\").")
                : ValidateOptionsResult.Success;
        }

        if (schemes.Contains(options.Scheme, StringComparer.Ordinal))
        {
            return ValidateOptionsResult.Success;
        }

        var choose = schemes.Count == 0
            ? "no Ellipsis Drive scheme is registered: add one with AddAuthentication().AddEllipsisDrive(...)"
            : $"set it to the name given to AddEllipsisDrive ({Names(schemes)}), or leave it unset when there is only one";
        var other = authenticationOptions.Value.Schemes.FirstOrDefault(s => string.Equals(s.Name, options.Scheme, StringComparison.Ordinal));
        return ValidateOptionsResult.Fail(other is null
            ? $"EllipsisDriveTokenOptions.Scheme is '{options.Scheme}', but no authentication scheme of that name is registered; {choose}."
            : $"EllipsisDriveTokenOptions.Scheme is '{options.Scheme}', a {other.HandlerType?.Name} scheme, not an Ellipsis Drive scheme; {choose}.");
    }

    private List<string> EllipsisDriveSchemes() =>
        [.. authenticationOptions.Value.Schemes.Where(s => s.HandlerType == typeof(EllipsisDriveHandler)).Select(s => s.Name)];

    private static string Names(List<string> schemes) => string.Join(", ", schemes.Select(s => $"'{s}'"));
}
