using System.Security.Cryptography;
using System.Text;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

/// <summary>Demo items every seeded user owns; ids are derived from the owner and name so they are stable across runs.</summary>
internal static class SeedData
{
    private static readonly (string Name, string Type, bool Trashed, bool Favorite, bool Shared, string? Parent)[] Template =
    [
        ("Projects", "folder", false, false, false, null),
        ("Basemaps", "folder", false, true, false, null),
        ("Aerial imagery 2024", "raster", false, true, false, null),
        ("Elevation model", "raster", false, false, false, null),
        ("Parcels", "vector", false, true, false, null),
        ("Roads", "vector", false, false, false, null),
        ("Survey points", "pointCloud", false, false, false, null),
        ("Field report.pdf", "file", false, false, false, null),
        ("City overview", "bookmark", false, false, false, null),
        ("Old parcels", "vector", true, false, false, null),
        ("Old scan", "raster", true, false, false, null),
        ("Shared flood map", "raster", false, false, true, null),
        ("Harbour survey", "folder", false, false, false, "Projects"),
        ("Site plan", "vector", false, false, false, "Projects"),
        ("Drone flight", "raster", false, false, false, "Projects"),
        ("Project notes.pdf", "file", false, false, false, "Projects"),
        ("Old sketch", "vector", true, false, false, "Projects"),
        ("Quay wall scan", "pointCloud", false, false, false, "Harbour survey"),
        ("Depth soundings", "vector", false, false, false, "Harbour survey"),
        ("Topographic map", "raster", false, false, false, "Basemaps"),
    ];

    public static IReadOnlyList<EmulatorItem> CreateItems(IEnumerable<EmulatorUser> users)
    {
        var items = new List<EmulatorItem>();
        foreach (var user in users)
        {
            foreach (var (name, type, trashed, favorite, shared, parent) in Template)
            {
                var itemName = shared ? $"{name} of {user.Username}" : name;
                items.Add(new EmulatorItem(
                    StableId(user.Id, itemName),
                    itemName,
                    type,
                    user,
                    trashed,
                    favorite,
                    shared,
                    $"Demo {type} of {user.Username}.",
                    parent is null ? null : StableId(user.Id, parent)));
            }
        }

        return items;
    }

    private static string StableId(string ownerId, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(ownerId + "/" + name));
        return new Guid(hash.AsSpan(0, 16)).ToString("D");
    }
}
