namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

internal static class Program
{
    private static int Main() => 0;
}
