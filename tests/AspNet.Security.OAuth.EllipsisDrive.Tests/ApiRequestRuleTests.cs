using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests;

/// <summary>
/// The one rule that tells an API or XHR request (401) from a page request (redirect to Ellipsis Drive).
/// </summary>
public sealed class ApiRequestRuleTests
{
    private const string Browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("application/json, text/plain, */*", true)] // axios
    [InlineData("text/html;q=0.5, application/json", true)]
    [InlineData(Browser, false)]
    [InlineData("application/json;q=0.5, text/html", false)]
    [InlineData("application/*+json;q=0.1, text/html", false)]
    public void Accept_decides_when_it_ranks_json_and_html_differently(string accept, bool isApi)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Accept = accept;

        Assert.Equal(isApi, EllipsisDriveApiRequests.IsApiRequest(context.Request));
    }

    [Fact]
    public void X_Requested_With_XMLHttpRequest_is_an_api_request_whatever_it_accepts()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Accept = Browser;
        context.Request.Headers.XRequestedWith = "XMLHttpRequest";

        Assert.True(EllipsisDriveApiRequests.IsApiRequest(context.Request));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("*/*", false)]
    public void Without_a_preference_a_request_with_no_endpoint_is_a_page(string? accept, bool isApi)
    {
        var context = new DefaultHttpContext();
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        Assert.Equal(isApi, EllipsisDriveApiRequests.IsApiRequest(context.Request));
    }

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("text/plain", false)]
    [InlineData("text/html", false)]
    public void Without_a_preference_an_endpoint_declaring_json_responses_only_is_an_api(string produces, bool isApi)
    {
        var context = WithEndpoint(new ProducesResponseTypeMetadata(200, typeof(object), [produces]));
        context.Request.Headers.Accept = "*/*";

        Assert.Equal(isApi, EllipsisDriveApiRequests.IsApiRequest(context.Request));
    }

    [Fact]
    public void Without_a_preference_an_api_controller_is_an_api()
    {
        var context = WithEndpoint(new ApiControllerAttribute());

        Assert.True(EllipsisDriveApiRequests.IsApiRequest(context.Request));
    }

    [Fact]
    public void A_browser_navigation_to_a_json_endpoint_is_a_page()
    {
        var context = WithEndpoint(new ApiControllerAttribute());
        context.Request.Headers.Accept = Browser;

        Assert.False(EllipsisDriveApiRequests.IsApiRequest(context.Request));
    }

    [Theory]
    [InlineData("EllipsisDrive", "EllipsisDrive")]
    [InlineData("Drive-2", "Drive-2")]
    [InlineData("Ellipsis Drive", "EllipsisDrive")] // not an RFC 9110 token: the default scheme name is used
    public void The_401_challenge_names_the_scheme(string scheme, string expected)
    {
        var context = new DefaultHttpContext();

        EllipsisDriveApiRequests.SetUnauthorized(context.Response, scheme);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Equal(expected, context.Response.Headers.WWWAuthenticate.ToString());
    }

    private static DefaultHttpContext WithEndpoint(params object[] metadata)
    {
        var context = new DefaultHttpContext();
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(metadata), "test"));
        return context;
    }
}
