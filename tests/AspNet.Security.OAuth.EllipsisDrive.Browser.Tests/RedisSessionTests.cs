namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>
/// <c>ConnectionStrings:Redis</c> set: two instances of the sample share the sessions and the Data Protection keys,
/// as behind a load balancer.
/// </summary>
public sealed class RedisSessionTests(BrowserFixture browser) : BrowserTest(browser)
{
    private RedisServer? _redis;
    private SampleApp? _first;
    private SampleApp? _second;

    protected override SampleApp App => _first ?? throw new InvalidOperationException("Started in InitializeAsync.");

    private SampleApp Second => _second ?? throw new InvalidOperationException("Started in InitializeAsync.");

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = _redis.ConnectionString };
        _first = new SampleApp(settings).Start();
        _second = new SampleApp(settings).Start();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_first is not null)
        {
            await _first.DisposeAsync();
        }

        if (_second is not null)
        {
            await _second.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_session_started_on_one_instance_is_known_to_the_other_until_signed_out_there()
    {
        await SignInAsync();
        Assert.Equal("Server-side session (Redis)", await Page.InnerTextAsync("#token-mode"));

        // Browser cookies ignore the port: the second instance gets the same session cookie.
        await Page.GotoAsync(Second.Url("/Account"));
        Assert.Equal("/Account", new Uri(Page.Url).AbsolutePath);
        Assert.Equal("Alice Example", await Page.InnerTextAsync("#account-name"));

        await Page.ClickAsync("#sign-out");
        await WaitForPathAsync("/Account/SignedOut");
        await Page.GotoAsync(App.Url("/Account"));
        Assert.Equal("/Account/SignIn", new Uri(Page.Url).AbsolutePath);
    }
}
