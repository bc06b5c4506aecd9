namespace AspNet.Security.OAuth.EllipsisDrive.Testing;

/// <summary>
/// What a test does when a program it needs (redis-server, Chromium) is not installed: skip with the reason on a
/// developer's machine, fail under <c>CI=true</c>, where everything must run. Shared (linked) by the test projects.
/// </summary>
internal static class Prerequisite
{
    /// <summary>Gets whether this is a CI run (<c>CI=true</c>).</summary>
    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns when <paramref name="present"/>; else skips the calling test with <paramref name="reason"/>, or fails it on CI.</summary>
    /// <param name="present">Whether the program is there.</param>
    /// <param name="reason">What is missing and how to install it.</param>
    public static void Require(bool present, string reason)
    {
        if (present)
        {
            return;
        }

        if (IsCi)
        {
            Assert.Fail(reason + " Under CI=true this is a failure, not a skip.");
        }

        Assert.Skip(reason);
    }
}
