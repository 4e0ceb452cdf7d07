using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>Sign-out (POST only): the server-side session is removed, so the cookie is worthless from now on.</summary>
public sealed class SignOutModel : PageModel
{
    /// <summary>A GET does nothing but go home.</summary>
    public IActionResult OnGet() => LocalRedirect("/");

    /// <summary>Ends the session.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleAuth.Scheme);
        return LocalRedirect("/signin");
    }
}
