namespace AspNet.Security.OAuth.EllipsisDrive.Emulator;

internal static class Program
{
    private static int Main() => 0;
}
