using System.Security.Cryptography;
using System.Text;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

/// <summary>Demo items every seeded user owns; ids are derived from the owner and name so they are stable across runs.</summary>
internal static class SeedData
{
    private static readonly (string Name, string Type, bool Trashed, bool Favorite, bool Shared)[] Template =
    [
        ("Projects", "folder", false, false, false),
        ("Basemaps", "folder", false, true, false),
        ("Aerial imagery 2024", "raster", false, true, false),
        ("Elevation model", "raster", false, false, false),
        ("Parcels", "vector", false, true, false),
        ("Roads", "vector", false, false, false),
        ("Survey points", "pointCloud", false, false, false),
        ("Field report.pdf", "file", false, false, false),
        ("City overview", "bookmark", false, false, false),
        ("Old parcels", "vector", true, false, false),
        ("Old scan", "raster", true, false, false),
        ("Shared flood map", "raster", false, false, true),
    ];

    public static IReadOnlyList<EmulatorItem> CreateItems(IEnumerable<EmulatorUser> users)
    {
        var items = new List<EmulatorItem>();
        foreach (var user in users)
        {
            foreach (var (name, type, trashed, favorite, shared) in Template)
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
                    $"Demo {type} of {user.Username}."));
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
