namespace WebApp.Models;

/// <summary>What an error page shows: what happened in plain words, and what to do next.</summary>
/// <param name="Title">The heading, e.g. "The sign-in did not complete".</param>
/// <param name="Message">What happened, in plain words; it contains no secret.</param>
/// <param name="CorrelationId">A short id to quote; the log line of the failure carries it.</param>
/// <param name="OfferSignIn">Whether signing in again is the fix, so the page offers the button.</param>
public sealed record ErrorViewModel(string Title, string Message, string? CorrelationId, bool OfferSignIn);
