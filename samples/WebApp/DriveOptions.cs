namespace WebApp;

/// <summary>Settings of the "My Drive" page (section <c>Drive</c>).</summary>
public sealed class DriveOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Drive";

    /// <summary>Gets or sets how many items one page shows (Ellipsis Drive allows at most 50). Small, so the demo data shows the paging.</summary>
    public int PageSize { get; set; } = 8;
}
