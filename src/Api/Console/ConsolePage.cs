using System.Security.Claims;
using AlarmInbox.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AlarmInbox.Api.Console;

/// <summary>
/// The base of every signed-in console page: the API client with the session's key, the signed-in role and tenant,
/// and the common answers to API problems (404 page, end of session on 401, field errors into the form).
/// </summary>
public abstract class ConsolePage : PageModel
{
    private ConsoleApiClient? _api;
    private IStringLocalizer? _text;

    /// <summary>The REST API with the session's key.</summary>
    protected ConsoleApiClient Api => _api ?? throw new InvalidOperationException("No console session.");

    /// <summary>The console texts in the current language.</summary>
    public IStringLocalizer Text => _text ??= HttpContext.RequestServices.GetRequiredService<IStringLocalizer<ConsoleText>>();

    /// <summary>Whether the page answers 404 (the resource does not exist or belongs to another tenant).</summary>
    public bool Missing { get; private set; }

    /// <summary>A message for the top of the page (an API problem that is not about a field), or null.</summary>
    public string? Error { get; protected set; }

    /// <summary>A confirmation for the top of the page, or null.</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>Whether the session is an operator's.</summary>
    public bool IsOperator => User.IsInRole(ApiClaims.OperatorRole);

    /// <summary>The tenant of a tenant admin's session, else null.</summary>
    public string? OwnTenant => User.FindFirstValue(ApiClaims.TenantId);

    /// <inheritdoc />
    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        _api = await HttpContext.RequestServices.GetRequiredService<ConsoleApiFactory>().ForSessionAsync(HttpContext);
        if (_api is null)
        {
            context.Result = Challenge(ConsoleAuth.Scheme);
            return;
        }

        var executed = await next();
        if (executed.Result is PageResult && Missing)
        {
            HttpContext.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    /// <summary>The answer to a failed API call on a page load: the 404 page, the sign-in after 401, else the page with the problem shown.</summary>
    protected async Task<IActionResult> FailedAsync(ApiProblem problem)
    {
        switch (problem.Status)
        {
            case StatusCodes.Status401Unauthorized:
                await HttpContext.SignOutAsync(ConsoleAuth.Scheme);
                return RedirectToPage("/SignIn");
            case StatusCodes.Status404NotFound:
                Missing = true;
                return Page();
            default:
                Error = Describe(problem);
                return Page();
        }
    }

    /// <summary>The answer to a failed call of an operator-only endpoint: the API's 403 for a tenant admin becomes the 404 page, as for another tenant.</summary>
    protected Task<IActionResult> OperatorFailedAsync(ApiProblem problem) =>
        FailedAsync(problem.Status == StatusCodes.Status403Forbidden ? problem with { Status = StatusCodes.Status404NotFound } : problem);

    /// <summary>
    /// Puts a failed change's field errors into the form (prefix + the API's field name, with the field's label in the
    /// message) or its message at the top, and shows the page again.
    /// </summary>
    protected async Task<IActionResult> FormFailedAsync(ApiProblem problem, string prefix, Func<string, string>? map = null)
    {
        if (problem.Status is StatusCodes.Status401Unauthorized or StatusCodes.Status404NotFound)
        {
            return await FailedAsync(problem);
        }

        if (problem.Errors.Count == 0 && problem.Field is null)
        {
            Error = Describe(problem);
        }

        foreach (var (field, messages) in problem.Errors)
        {
            ModelState.AddModelError(prefix + (map ?? Capitalize)(field), FieldMessage(field, messages));
        }

        if (problem.Errors.Count == 0 && problem.Field is { } single)
        {
            ModelState.AddModelError(prefix + (map ?? Capitalize)(single), FieldMessage(single, [problem.Detail ?? problem.Title ?? ""]));
        }

        return Page();
    }

    /// <summary>A problem in one sentence for the top of a page: the status in the user's language, then the API's detail.</summary>
    protected string Describe(ApiProblem problem)
    {
        var lead = Text["Problem." + problem.Status] is { ResourceNotFound: false } known ? known.Value : Text["Problem.Other"].Value;
        return problem.Detail is { Length: > 0 } detail ? $"{lead} {detail}" : lead;
    }

    private string FieldMessage(string field, IEnumerable<string> messages)
    {
        var label = Text["Field." + field.Split('.')[^1]] is { ResourceNotFound: false } known ? known.Value : field;
        return $"{string.Format(System.Globalization.CultureInfo.CurrentCulture, Text["Problem.Field"], label)} {string.Join(" ", messages)}";
    }

    private static string Capitalize(string field) =>
        string.Join('.', field.Split('.').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
}
