namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

public class SmokeTests
{
    [Fact]
    public void Runs() => Assert.Equal(2, 1 + 1);
}
