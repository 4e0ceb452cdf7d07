using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>Switches the console's language (a cookie for a year) and goes back.</summary>
public sealed class LanguageModel : PageModel
{
    /// <summary>A GET does nothing but go home.</summary>
    public IActionResult OnGet() => LocalRedirect("/");

    /// <summary>Sets <paramref name="culture"/> (<c>de</c> or <c>en</c>) and returns to <paramref name="returnUrl"/>.</summary>
    public IActionResult OnPost([FromForm] string? culture, [FromForm] string? returnUrl)
    {
        var chosen = ConsoleExtensions.Cultures.FirstOrDefault(c => c.Name == culture) ?? ConsoleExtensions.Cultures[0];
        Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = Request.IsHttps, IsEssential = true });
        return LocalRedirect(!string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
