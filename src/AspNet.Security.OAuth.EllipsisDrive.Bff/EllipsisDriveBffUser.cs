using System.Text.Json;
using System.Text.Json.Serialization;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>What the user endpoint answers: the signed-in user's claims that are safe to show.</summary>
internal sealed class EllipsisDriveBffUser(IReadOnlyList<EllipsisDriveBffClaim> claims)
{
    public IReadOnlyList<EllipsisDriveBffClaim> Claims { get; } = claims;
}

/// <summary>One claim of <see cref="EllipsisDriveBffUser"/>.</summary>
internal sealed class EllipsisDriveBffClaim(string type, string value)
{
    public string Type { get; } = type;

    public string Value { get; } = value;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EllipsisDriveBffUser))]
internal sealed partial class EllipsisDriveBffJsonContext : JsonSerializerContext;
