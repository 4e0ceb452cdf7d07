using System.Globalization;
using System.Reflection;
using System.Security.Claims;
using System.Text.RegularExpressions;
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
public abstract partial class ConsolePage : PageModel
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
    /// Puts a failed change's field errors into the form (prefix + the API's field name) with the field's label and the
    /// message in the user's language (<see cref="ApiMessages"/>), and shows the page again. Errors about a field the
    /// form does not have (say <c>office365</c> as a whole), and problems about no field, go to the top of the page.
    /// </summary>
    protected async Task<IActionResult> FormFailedAsync(ApiProblem problem, string prefix, Func<string, string>? map = null)
    {
        if (problem.Status is StatusCodes.Status401Unauthorized or StatusCodes.Status404NotFound)
        {
            return await FailedAsync(problem);
        }

        IReadOnlyDictionary<string, string[]> errors = problem.Errors.Count > 0 ? problem.Errors
            : problem.Field is { } single ? new Dictionary<string, string[]> { [single] = [problem.Detail ?? problem.Title ?? ""] }
            : new Dictionary<string, string[]>();
        if (errors.Count == 0)
        {
            Error = Describe(problem);
            return Page();
        }

        var unshown = AddFieldErrors(errors, prefix, map);
        if (unshown.Count > 0)
        {
            Error = $"{Lead(problem)} {string.Join(" ", unshown)}";
        }

        return Page();
    }

    /// <summary>
    /// Adds <paramref name="errors"/> (API field name → messages) to the model state under prefix + the form's name of the
    /// field (list indexes such as <c>[2]</c> dropped: the label names the entry), translated; returns the messages of
    /// fields the page has no property for, for the top of the page.
    /// </summary>
    protected IReadOnlyList<string> AddFieldErrors(IReadOnlyDictionary<string, string[]> errors, string prefix, Func<string, string>? map = null)
    {
        var unshown = new List<string>();
        foreach (var (field, messages) in errors)
        {
            var key = prefix + (map ?? Capitalize)(IndexRegex().Replace(field, ""));
            var message = FieldMessage(field, messages);
            if (IsProperty(key))
            {
                ModelState.AddModelError(key, message);
            }
            else
            {
                unshown.Add(message);
            }
        }

        return unshown;
    }

    /// <summary>A problem in one sentence for the top of a page: the status, then the API's detail, both in the user's language.</summary>
    protected string Describe(ApiProblem problem) =>
        problem.Detail is { Length: > 0 } detail ? $"{Lead(problem)} {ApiMessages.Translate(detail, Text)}" : Lead(problem);

    private string Lead(ApiProblem problem) =>
        Text["Problem." + problem.Status] is { ResourceNotFound: false } known ? known.Value : Text["Problem.Other"].Value;

    /// <summary>"Label: message" in the user's language; the label of <c>labels[2]</c> is that of <c>labels</c> with the entry's number.</summary>
    private string FieldMessage(string field, IEnumerable<string> messages)
    {
        var last = field.Split('.')[^1];
        var index = IndexRegex().Match(last);
        var name = IndexRegex().Replace(last, "");
        var label = Text["Field." + name] is { ResourceNotFound: false } known ? known.Value : name == "$" ? null : field;
        if (label is not null && index.Success)
        {
            var number = int.Parse(index.Groups[1].Value, CultureInfo.InvariantCulture) + 1;
            label = string.Format(CultureInfo.CurrentCulture, Text["Problem.Entry"], label, number);
        }

        var text = string.Join(" ", messages.Select(m => ApiMessages.Translate(m, Text)));
        return label is null ? text : $"{string.Format(CultureInfo.CurrentCulture, Text["Problem.Field"], label)} {text}";
    }

    /// <summary>Whether <paramref name="key"/> (<c>Form.O365Tenant</c>) names a property path of this page, so that the form shows its error.</summary>
    private bool IsProperty(string key)
    {
        var type = GetType();
        foreach (var part in key.Split('.'))
        {
            var property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance);
            if (property is null)
            {
                return false;
            }

            type = property.PropertyType;
        }

        return true;
    }

    private static string Capitalize(string field) =>
        string.Join('.', field.Split('.').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

    [GeneratedRegex(@"\[(\d+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex IndexRegex();
}
