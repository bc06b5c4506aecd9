namespace WebApp.Models;

/// <summary>What the error page shows.</summary>
/// <param name="Message">A short message that contains no secret.</param>
/// <param name="CorrelationId">The id to find the failure in the logs.</param>
public sealed record ErrorViewModel(string Message, string CorrelationId);
