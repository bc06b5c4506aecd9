using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace WebApp;

/// <summary>
/// A form the global antiforgery filter refused (a tab opened before signing in or out elsewhere, a form left open for
/// days) gets the sample's page saying what happened and where to go, instead of an empty 400. Registered as a global
/// filter: it must run even though the antiforgery filter short-circuited the action, hence <see cref="IAlwaysRunResultFilter"/>.
/// </summary>
internal sealed class AntiforgeryFailurePage(ITempDataDictionaryFactory tempData, IModelMetadataProvider metadata) : IAlwaysRunResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is not IAntiforgeryValidationFailedResult)
        {
            return;
        }

        var referer = context.HttpContext.Request.GetTypedHeaders().Referer;
        var back = referer is not null && referer.IsAbsoluteUri
            && string.Equals(referer.Authority, context.HttpContext.Request.Host.Value, StringComparison.OrdinalIgnoreCase)
            ? referer.PathAndQuery
            : "/";
        context.Result = new ViewResult
        {
            ViewName = "FormExpired",
            StatusCode = StatusCodes.Status400BadRequest,
            ViewData = new ViewDataDictionary<string>(metadata, context.ModelState) { Model = back },
            TempData = tempData.GetTempData(context.HttpContext),
        };
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
