namespace WebApp;

/// <summary>What the page for an error status says, in plain words, and the next step it offers.</summary>
/// <param name="Code">The HTTP status.</param>
/// <param name="Title">The heading.</param>
/// <param name="Message">What happened and what to do.</param>
/// <param name="OfferSignIn">Whether signing in is the fix, so the page offers the button.</param>
public sealed record StatusPage(int Code, string Title, string Message, bool OfferSignIn)
{
    /// <summary>The page for <paramref name="code"/>.</summary>
    public static StatusPage For(int code, bool signedIn) => code switch
    {
        400 => new(code, "That request could not be used", "The page sent something this app could not understand, or it was out of date. Go back, reload the page and try again.", false),
        401 => new(code, "Please sign in", "This page is only for signed-in users.", !signedIn),
        403 => new(code, "You cannot open this page", "Your account is not allowed to see this page.", false),
        404 => new(code, "Page not found", "There is no page at this address. Check the address, or start again from the home page.", false),
        405 => new(code, "This address cannot be opened like that", "This address only answers a button on one of the app's pages, not a link or the address bar. Start again from the home page.", false),
        429 => new(code, "Too many requests", "You sent a lot of requests in a short time. Wait a minute, then try again.", false),
        >= 500 => new(code, "Sorry, something went wrong on our side", "Try again in a minute.", false),
        _ => new(code, "That did not work", "Start again from the home page.", false),
    };
}
