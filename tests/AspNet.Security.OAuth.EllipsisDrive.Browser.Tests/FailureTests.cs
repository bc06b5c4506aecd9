using AspNet.Security.OAuth.EllipsisDrive.Emulator;

namespace AspNet.Security.OAuth.EllipsisDrive.Browser.Tests;

/// <summary>When Ellipsis Drive fails during sign-in, the user gets the friendly error page: a message and a correlation id.</summary>
public sealed class FailureTests(BrowserFixture browser, SampleAppFixture app) : BrowserTest(browser), IClassFixture<SampleAppFixture>
{
    protected override SampleApp App => app.App;

    public override async ValueTask DisposeAsync()
    {
        App.Drive.ClearFaults();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_failing_token_endpoint_shows_the_error_page_with_a_correlation_id_and_no_stack_trace()
    {
        App.Drive.InjectFault(EmulatorEndpoint.TokenAuthorizationCode, new EmulatorFault { StatusCode = 503, Body = """{"message":"Down for maintenance."}""" });

        await Page.GotoAsync(App.Url("/"));
        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice");

        await WaitForPathAsync("/Home/Error");
        Assert.True(IsOnApp(Page.Url));
        Assert.Contains("503", await Page.InnerTextAsync("#error-message"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(await Page.InnerTextAsync("#correlation-id")));
        var html = await Page.ContentAsync();
        Assert.DoesNotContain("   at ", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.Null(await Page.QuerySelectorAsync("#signed-in-as"));
        await AssertNoIssuedSecretServedAsync();
    }

    [Fact]
    public async Task The_error_page_shows_the_failure_once_then_a_generic_message()
    {
        App.Drive.InjectFault(EmulatorEndpoint.Account, new EmulatorFault { StatusCode = 500 });
        await Page.GotoAsync(App.Url("/"));
        await Page.ClickAsync("#sign-in");
        await ConsentAsync("alice");
        await WaitForPathAsync("/Home/Error");
        Assert.True(IsOnApp(Page.Url));

        await Page.ReloadAsync();

        Assert.StartsWith("Something went wrong on our side.", await Page.InnerTextAsync("#error-message"), StringComparison.Ordinal);
    }
}
