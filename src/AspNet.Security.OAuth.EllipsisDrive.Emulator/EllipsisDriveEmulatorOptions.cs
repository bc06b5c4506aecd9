using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

/// <summary>
/// Settings of an <see cref="EllipsisDriveEmulator"/>. The emulator reads them on every request, so a test may
/// change them between requests through <see cref="EllipsisDriveEmulator.Options"/>.
/// </summary>
public sealed class EllipsisDriveEmulatorOptions
{
    /// <summary>Gets or sets the loopback port to listen on; 0 (the default) picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>Gets or sets the clock used for code and token lifetimes and request timestamps.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets the lifetime of access tokens. Defaults to one hour. <see langword="null"/> omits
    /// <c>expires_in</c> from token responses and issues tokens that never expire.
    /// </summary>
    public TimeSpan? AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the lifetime of authorization codes. Defaults to one minute, as documented.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets a value indicating whether a <c>state</c> longer than 50 characters is rejected, as the
    /// <c>varchar(50)</c> column of Ellipsis Drive's schema would. Defaults to <see langword="true"/>.
    /// </summary>
    public bool StrictStateLength { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the token endpoint accepts <c>application/json</c> bodies. Defaults to <see langword="true"/>.</summary>
    public bool AcceptJsonTokenRequests { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the token endpoint accepts <c>application/x-www-form-urlencoded</c> bodies. Defaults to <see langword="true"/>.</summary>
    public bool AcceptFormTokenRequests { get; set; } = true;

    /// <summary>Gets or sets the naming of the token response's keys. Defaults to <see cref="EmulatorTokenResponseNaming.SnakeCase"/>.</summary>
    public EmulatorTokenResponseNaming TokenResponseNaming { get; set; } = EmulatorTokenResponseNaming.SnakeCase;

    /// <summary>
    /// Gets or sets a value indicating whether a refresh answers a new refresh token and invalidates the old one.
    /// <see langword="false"/> answers no <c>refresh_token</c> and keeps the old one valid. Defaults to <see langword="true"/>.
    /// </summary>
    public bool RotateRefreshTokens { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the authorization-code exchange answers a refresh token.
    /// Defaults to <see langword="true"/>.
    /// </summary>
    public bool IncludeRefreshToken { get; set; } = true;

    /// <summary>
    /// Gets or sets the logger factory the emulator logs to. <see langword="null"/> (the default) logs nothing.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Gets the users seeded when the emulator starts. Pre-filled with <c>alice</c> (e-mail, name, plan <c>pro</c>)
    /// and <c>bob</c> (no e-mail, plan <c>free</c>); change it before <see cref="EllipsisDriveEmulator.StartAsync"/>.
    /// Every user gets the same set of demo items in <c>myDrive</c>, <c>favorites</c> and <c>trash</c>, and sees
    /// one item of every other user in <c>sharedWithMe</c>.
    /// </summary>
    public IList<EmulatorUser> Users { get; } =
    [
        new EmulatorUser("5d1e6a0e-7c35-4a51-9d2b-3f3a1c6a0001", "alice")
        {
            Email = "alice@example.com",
            Name = "Alice Example",
            PlanType = "pro",
        },
        new EmulatorUser("5d1e6a0e-7c35-4a51-9d2b-3f3a1c6a0002", "bob"),
    ];
}
