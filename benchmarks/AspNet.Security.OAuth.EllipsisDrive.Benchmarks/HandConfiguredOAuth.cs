using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using AspNet.Security.OAuth.EllipsisDrive.Emulator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.EllipsisDrive.Benchmarks;

/// <summary>
/// What a user without this package writes to sign in with Ellipsis Drive through ASP.NET Core's <c>AddOAuth</c>: the
/// smallest configuration that the strict emulator accepts, and that yields the same claims and saved tokens as the
/// package in cookie mode. It took three things beyond the endpoints:
/// <list type="number">
/// <item>A short <c>state</c>: the default one (the protected properties, several hundred characters) breaks the
/// provider's 50-character column, so <see cref="OAuthOptions.StateDataFormat"/> keeps the properties in a memory
/// cache under a 22-character key (single server only; a farm would need a distributed cache).</item>
/// <item>The token request as Ellipsis Drive documents it: a backchannel handler rewrites the form body into JSON
/// and renames <c>code</c> to <c>authorization_code</c>; the emulator refuses <c>code</c> alone.</item>
/// <item>The user: <c>OnCreatingTicket</c> GETs <c>/account</c> with the token and runs the claim actions.</item>
/// </list>
/// </summary>
internal static class HandConfiguredOAuth
{
    public const string Scheme = "HandOAuth";

    public static void Add(AuthenticationBuilder authentication, EllipsisDriveEmulator emulator)
    {
        emulator.RegisterClient(BenchApp.HandClientId, BenchApp.ClientSecret, new Uri(BenchApp.Origin, BenchApp.HandCallbackPath).AbsoluteUri);
        authentication.AddOAuth(Scheme, options =>
        {
            options.ClientId = BenchApp.HandClientId;
            options.ClientSecret = BenchApp.ClientSecret;
            options.CallbackPath = BenchApp.HandCallbackPath;
            options.AuthorizationEndpoint = new Uri(emulator.BaseAddress, "oauth/authorize").AbsoluteUri;
            options.TokenEndpoint = new Uri(emulator.BaseAddress, "oauth/token").AbsoluteUri;
            options.UserInformationEndpoint = new Uri(emulator.BaseAddress, "account").AbsoluteUri;
            options.UsePkce = true;
            options.SaveTokens = true;
            options.Scope.Add("projects");
            options.StateDataFormat = new ShortStateFormat();
            options.BackchannelHttpHandler = new AuthorizationCodeAsJsonHandler { InnerHandler = new HttpClientHandler() };

            options.ClaimActions.MapJsonKey(ClaimTypes.NameIdentifier, "id");
            options.ClaimActions.MapJsonKey(ClaimTypes.Name, "username");
            options.ClaimActions.MapJsonKey(EllipsisDriveClaimTypes.Username, "username");
            options.ClaimActions.MapJsonKey(ClaimTypes.Email, "email");
            options.ClaimActions.MapJsonKey(EllipsisDriveClaimTypes.DisplayName, "name");
            options.ClaimActions.MapJsonSubKey(EllipsisDriveClaimTypes.Plan, "plan", "type");
            options.ClaimActions.MapJsonKey(EllipsisDriveClaimTypes.Disabled, "disabled");

            options.Events.OnCreatingTicket = async context =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, context.Options.UserInformationEndpoint);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.AccessToken);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                using var response = await context.Backchannel.SendAsync(request, context.HttpContext.RequestAborted);
                response.EnsureSuccessStatusCode();
                using var user = JsonDocument.Parse(await response.Content.ReadAsStringAsync(context.HttpContext.RequestAborted));
                context.RunClaimActions(user.RootElement);
            };
        });
    }

    /// <summary>Keeps the properties in memory; the state is a 22-character key.</summary>
    private sealed class ShortStateFormat : ISecureDataFormat<AuthenticationProperties>
    {
        private readonly MemoryCache _pending = new(new MemoryCacheOptions());

        public string Protect(AuthenticationProperties data) => Protect(data, purpose: null);

        public string Protect(AuthenticationProperties data, string? purpose)
        {
            var key = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
            _pending.Set(key, data, TimeSpan.FromMinutes(15));
            return key;
        }

        public AuthenticationProperties? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

        public AuthenticationProperties? Unprotect(string? protectedText, string? purpose)
        {
            if (protectedText is null || !_pending.TryGetValue(protectedText, out AuthenticationProperties? properties))
            {
                return null;
            }

            _pending.Remove(protectedText);
            return properties;
        }
    }

    /// <summary>Sends the token request as JSON with the code under <c>authorization_code</c>, as Ellipsis Drive documents.</summary>
    private sealed class AuthorizationCodeAsJsonHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.Content is FormUrlEncodedContent form)
            {
                var fields = QueryHelpers.ParseQuery(await form.ReadAsStringAsync(cancellationToken))
                    .ToDictionary(p => p.Key == "code" ? "authorization_code" : p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
                request.Content = JsonContent.Create(fields);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
