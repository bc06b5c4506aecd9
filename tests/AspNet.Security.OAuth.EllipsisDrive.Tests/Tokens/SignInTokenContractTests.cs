using System.Globalization;
using System.Net.Http.Headers;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Tokens;

/// <summary>
/// The contract between the handler and the token service: the tokens the handler saves at sign-in are the ones the
/// token service reads back, in either session mode. Tokens are compared by fingerprint, so a failure prints none.
/// </summary>
public sealed class SignInTokenContractTests : TokenTestBase
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_token_service_returns_the_access_token_the_emulator_issued_at_sign_in(bool serverMode)
    {
        using var browser = await StartAndSignInAsync(serverMode);
        var issued = SignInAccessToken();

        Assert.True(Drive.IssuedSecrets.Contains(issued), "The handler loaded the account with a token the emulator did not issue.");
        Assert.Equal(TokenTestHost.Fingerprint(issued), await browser.GetStringAsync("/test/token"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_saved_expiry_is_the_emulator_lifetime_on_the_app_clock(bool serverMode)
    {
        var signInTime = Time.GetUtcNow();
        using var browser = await StartAndSignInAsync(serverMode);

        var expiresAt = DateTimeOffset.Parse(await browser.GetStringAsync("/test/expires-at"), CultureInfo.InvariantCulture);

        Assert.Equal(signInTime + AccessTokenLifetime, expiresAt);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_refresh_comes_at_the_skew_before_the_saved_expiry_with_the_saved_refresh_token(bool serverMode)
    {
        using var browser = await StartAndSignInAsync(serverMode);
        var savedRefreshToken = SignInRefreshToken();

        Time.Advance(AccessTokenLifetime - TimeSpan.FromSeconds(61));
        await browser.GetStringAsync("/test/token");
        var refreshesBeforeSkew = TokenRefreshCalls;
        Time.Advance(TimeSpan.FromSeconds(2));
        await browser.GetStringAsync("/test/token");

        Assert.Equal(0, refreshesBeforeSkew);
        var refresh = Assert.Single(Drive.Requests, r => r.Endpoint == EmulatorEndpoint.TokenRefresh);
        Assert.Equal(TokenTestHost.Fingerprint(savedRefreshToken), TokenTestHost.Fingerprint(refresh.Parameters["refresh_token"]));
    }

    // What crossed the wire: the handler loads the account with the access token it just redeemed.
    private string SignInAccessToken()
    {
        var accountCall = Assert.Single(Drive.Requests, r => r.Endpoint == EmulatorEndpoint.Account);
        return AuthenticationHeaderValue.Parse(accountCall.Headers["Authorization"]).Parameter!;
    }

    // The sign-in's code answered one access token and one refresh token: the refresh token is the third secret issued.
    private string SignInRefreshToken()
    {
        var others = Drive.IssuedSecrets.Except([Drive.TokenRequest().Parameters["code"], SignInAccessToken()], StringComparer.Ordinal).ToList();
        Assert.True(others.Count == 1, $"Expected the emulator to have issued one refresh token at sign-in, found {others.Count} other secrets.");
        return others[0];
    }
}
