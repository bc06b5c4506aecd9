using Microsoft.EntityFrameworkCore;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// The package's own database context: the grants table and the refresh-lease table, nothing of the app's.
/// </summary>
internal sealed class EllipsisDriveTokenDbContext(DbContextOptions<EllipsisDriveTokenDbContext> options) : DbContext(options)
{
    public const string GrantsTable = "EllipsisDriveGrants";
    public const string LeasesTable = "EllipsisDriveRefreshLeases";

    public DbSet<GrantRow> Grants => Set<GrantRow>();

    public DbSet<LeaseRow> Leases => Set<LeaseRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<GrantRow>(grant =>
        {
            grant.ToTable(GrantsTable);
            grant.HasKey(row => new { row.Scheme, row.UserKey });
            grant.Property(row => row.Scheme).HasMaxLength(256);
            // 450: ASP.NET Core Identity's key length, so a local user id always fits.
            grant.Property(row => row.UserKey).HasMaxLength(450);
            grant.Property(row => row.RefreshTokenHash).HasMaxLength(64);
            grant.Property(row => row.TokenType).HasMaxLength(64);
            grant.Property(row => row.Version).IsConcurrencyToken();
        });

        modelBuilder.Entity<LeaseRow>(lease =>
        {
            lease.ToTable(LeasesTable);
            lease.HasKey(row => row.Key);
            lease.Property(row => row.Key).HasMaxLength(128);
            lease.Property(row => row.Owner).HasMaxLength(32);
            // Milliseconds since the Unix epoch: ordered the same on every provider (SQLite cannot compare DateTimeOffset text).
            lease.Property(row => row.ExpiresAt)
                .HasColumnName("ExpiresAtUnixMs")
                .HasConversion(value => value.ToUnixTimeMilliseconds(), value => DateTimeOffset.FromUnixTimeMilliseconds(value));
        });
    }
}

/// <summary>
/// One user's grant. Both tokens are Data Protection ciphertext; <see cref="RefreshTokenHash"/> lets a save compare the
/// expected refresh token without decrypting anything.
/// </summary>
internal sealed class GrantRow
{
    public string Scheme { get; set; } = string.Empty;

    public string UserKey { get; set; } = string.Empty;

    public string? AccessToken { get; set; }

    public string? RefreshToken { get; set; }

    /// <summary>Gets or sets the SHA-256 of the refresh token, lower-case hex.</summary>
    public string? RefreshTokenHash { get; set; }

    public string? TokenType { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RefreshedAt { get; set; }

    public bool ReconnectRequired { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Gets or sets the optimistic concurrency token: every update checks it and increments it.</summary>
    public int Version { get; set; }
}

/// <summary>
/// A refresh lease: who holds the refresh of one refresh token (named by its hash), and until when.
/// </summary>
internal sealed class LeaseRow
{
    public string Key { get; set; } = string.Empty;

    public string Owner { get; set; } = string.Empty;

    public DateTimeOffset ExpiresAt { get; set; }
}
