using System.Security.Claims;
using AlarmInbox.Api.Security;
using AlarmInbox.Grains.Interfaces.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>Sign-in: the API key is checked by the API (<c>GET /api/me</c>) and kept in a server-side session; the browser gets a cookie.</summary>
public sealed class SignInModel(ConsoleApiFactory factory, IStringLocalizer<ConsoleText> text) : PageModel
{
    /// <summary>Where to go after the sign-in (a local path only).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the sign-in failed, or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>Shows the form, or goes on when already signed in.</summary>
    public async Task<IActionResult> OnGetAsync() =>
        (await HttpContext.AuthenticateAsync(ConsoleAuth.Scheme)).Succeeded ? LocalRedirect(Target) : Page();

    /// <summary>Checks the key with the API and starts the session.</summary>
    public async Task<IActionResult> OnPostAsync([FromForm] string? key)
    {
        key = key?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            Failure = text["SignIn.Empty"];
            return Page();
        }

        var me = await factory.Create(HttpContext, key).GetAsync<CurrentKeyResponse>("api/me", HttpContext.RequestAborted);
        if (!me.Succeeded || me.Value is null)
        {
            Failure = me.Status == StatusCodes.Status429TooManyRequests ? text["SignIn.TooMany"] : text["SignIn.Unknown"];
            Response.StatusCode = me.Status == StatusCodes.Status429TooManyRequests ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized;
            return Page();
        }

        var claims = new List<Claim>
        {
            new(ApiClaims.KeyId, me.Value.KeyId),
            new(ClaimTypes.Role, me.Value.Role == ApiKeyRole.Operator ? ApiClaims.OperatorRole : ApiClaims.TenantAdminRole),
        };
        if (me.Value.TenantId is { } tenant)
        {
            claims.Add(new Claim(ApiClaims.TenantId, tenant));
        }

        var properties = new AuthenticationProperties { IsPersistent = false };
        properties.Items[ConsoleAuth.KeyItem] = key;
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ConsoleAuth.Scheme, ApiClaims.KeyId, ClaimTypes.Role));
        await HttpContext.SignInAsync(ConsoleAuth.Scheme, principal, properties);
        return LocalRedirect(Target);
    }

    private string Target => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) && ReturnUrl.StartsWith('/') && !ReturnUrl.StartsWith("/signin", StringComparison.Ordinal)
        ? ReturnUrl
        : "/";
}
