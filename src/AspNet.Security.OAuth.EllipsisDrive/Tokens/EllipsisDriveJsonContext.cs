using System.Text.Json.Serialization;

namespace AspNet.Security.OAuth.EllipsisDrive;

[JsonSerializable(typeof(string[]))]
internal sealed partial class EllipsisDriveJsonContext : JsonSerializerContext;
