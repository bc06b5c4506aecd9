using System.Text.Json.Serialization;

namespace AspNet.Security.OAuth.EllipsisDrive;

[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class EllipsisDriveJsonContext : JsonSerializerContext;
