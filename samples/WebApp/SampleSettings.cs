namespace WebApp;

/// <summary>
/// What the sample reads from configuration before it registers anything: which Ellipsis Drive to talk to,
/// and where sessions live. Half-set configuration fails here, at start, with a message naming the setting.
/// </summary>
public sealed class SampleSettings
{
    /// <summary>The configuration section of the handler's options.</summary>
    public const string SectionName = "EllipsisDrive";

    private SampleSettings(string? clientId, string? clientSecret, Uri? baseAddress, string? redisConnectionString)
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        BaseAddress = baseAddress;
        RedisConnectionString = redisConnectionString;
    }

    /// <summary>Gets the client ID of a real registration, or <see langword="null"/> in emulator mode.</summary>
    public string? ClientId { get; }

    /// <summary>Gets the client secret of a real registration, or <see langword="null"/> in emulator mode.</summary>
    public string? ClientSecret { get; }

    /// <summary>Gets the API base address of a private instance, or <see langword="null"/> for the default.</summary>
    public Uri? BaseAddress { get; }

    /// <summary>Gets the Redis connection string (<c>ConnectionStrings:Redis</c>), or <see langword="null"/> for in-memory sessions.</summary>
    public string? RedisConnectionString { get; }

    /// <summary>
    /// In emulator mode (no Ellipsis Drive client configured), has the emulator package start an Ellipsis Drive of its own
    /// on a loopback port, register this app there with its actual callback URLs, and point the handler at it; the
    /// <c>Emulator</c> section may set its <c>Port</c> and <c>AccessTokenLifetimeSeconds</c>. Does nothing otherwise.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configuration">The app's configuration.</param>
    public void AddEmulatorWhenUnconfigured(IServiceCollection services, IConfiguration configuration)
    {
        if (!UseEmulator)
        {
            return;
        }

        services.AddEllipsisDriveEmulator(options =>
        {
            var section = configuration.GetSection("Emulator");
            options.Port = section.GetValue("Port", 0);
            if (section.GetValue<double?>("AccessTokenLifetimeSeconds") is { } lifetime)
            {
                options.AccessTokenLifetime = TimeSpan.FromSeconds(lifetime);
            }
        });
    }

    /// <summary>Gets a value indicating whether no client is configured, so the sample runs on the in-process emulator.</summary>
    public bool UseEmulator => ClientId is null;

    /// <summary>Reads and checks the sample's settings.</summary>
    /// <exception cref="InvalidOperationException">The configuration is half-set; the message names the missing setting.</exception>
    public static SampleSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var section = configuration.GetSection(SectionName);
        var clientId = Normalize(section["ClientId"]);
        var clientSecret = Normalize(section["ClientSecret"]);
        var baseAddressText = Normalize(section["BaseAddress"]);
        var redis = Normalize(configuration.GetConnectionString("Redis"));

        if (clientId is null && clientSecret is not null)
        {
            throw new InvalidOperationException(
                "EllipsisDrive:ClientSecret is set but EllipsisDrive:ClientId is missing. Set EllipsisDrive:ClientId too " +
                "(dotnet user-secrets set EllipsisDrive:ClientId <id>, or the environment variable EllipsisDrive__ClientId), " +
                "or remove EllipsisDrive:ClientSecret to run on the built-in emulator.");
        }

        if (clientId is not null && clientSecret is null)
        {
            throw new InvalidOperationException(
                "EllipsisDrive:ClientId is set but EllipsisDrive:ClientSecret is missing. Set EllipsisDrive:ClientSecret too " +
                "(dotnet user-secrets set EllipsisDrive:ClientSecret <secret>, or the environment variable EllipsisDrive__ClientSecret), " +
                "or remove EllipsisDrive:ClientId to run on the built-in emulator.");
        }

        if (clientId is null && baseAddressText is not null)
        {
            throw new InvalidOperationException(
                "EllipsisDrive:BaseAddress is set but EllipsisDrive:ClientId and EllipsisDrive:ClientSecret are missing. " +
                "Set both to use that Ellipsis Drive instance, or remove EllipsisDrive:BaseAddress to run on the built-in emulator.");
        }

        Uri? baseAddress = null;
        if (baseAddressText is not null && !Uri.TryCreate(baseAddressText, UriKind.Absolute, out baseAddress))
        {
            throw new InvalidOperationException(
                $"EllipsisDrive:BaseAddress must be an absolute URI such as 'https://api.ellipsis-drive.com/v3/'; '{baseAddressText}' is not.");
        }

        return new SampleSettings(clientId, clientSecret, baseAddress, redis);
    }

    private static string? Normalize(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
