var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "Coming soon.");
app.Run();

/// <summary>The sample's entry point, visible to WebApplicationFactory.</summary>
public partial class Program;
