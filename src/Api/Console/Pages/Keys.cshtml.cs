using AlarmInbox.Api.Security;
using AlarmInbox.Grains.Interfaces.Security;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>API keys (operator): list, create (the key is shown once), revoke.</summary>
public sealed class KeysModel : ConsolePage
{
    /// <summary>The keys, revoked ones included.</summary>
    public IReadOnlyList<ApiKeyResponse> Keys { get; private set; } = [];

    /// <summary>The key just created (shown once), or null.</summary>
    public string? CreatedKey { get; private set; }

    /// <summary>The new key.</summary>
    [BindProperty]
    public KeyForm Form { get; set; } = new();

    /// <summary>Lists the keys (404 for a tenant admin: the API answers 403).</summary>
    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ?? Page();

    /// <summary>Creates a key and shows it once.</summary>
    public async Task<IActionResult> OnPostCreateAsync()
    {
        var request = new CreateApiKeyRequest(Form.Name?.Trim(), Form.Role, Form.Role == ApiKeyRole.TenantAdmin ? Form.TenantId?.Trim() : null);
        var created = await Api.SendJsonAsync<CreatedApiKeyResponse>(HttpMethod.Post, "api/keys", request, HttpContext.RequestAborted);
        var loaded = await LoadAsync();
        if (loaded is not null)
        {
            return loaded;
        }

        if (!created.Succeeded)
        {
            return await FormFailedAsync(created.Problem!, "Form.");
        }

        CreatedKey = created.Value!.Key;
        return Page();
    }

    /// <summary>Revokes a key.</summary>
    public async Task<IActionResult> OnPostRevokeAsync([FromForm] string keyId)
    {
        var revoked = await Api.SendJsonAsync<object>(HttpMethod.Delete, "api/keys/" + Uri.EscapeDataString(keyId), null, HttpContext.RequestAborted);
        if (!revoked.Succeeded)
        {
            return await FailedAsync(revoked.Problem!);
        }

        Notice = Text["Keys.RevokedNotice"];
        return Redirect("/keys");
    }

    private async Task<IActionResult?> LoadAsync()
    {
        var keys = await Api.GetAsync<ApiKeyListResponse>("api/keys", HttpContext.RequestAborted);
        if (!keys.Succeeded)
        {
            return await OperatorFailedAsync(keys.Problem!);
        }

        Keys = keys.Value!.Keys;
        return null;
    }

    /// <summary>The fields of a new key.</summary>
    public sealed class KeyForm
    {
        /// <summary>A name for people.</summary>
        public string? Name { get; set; }

        /// <summary>The role.</summary>
        public ApiKeyRole Role { get; set; } = ApiKeyRole.TenantAdmin;

        /// <summary>The tenant of a tenant admin key.</summary>
        public string? TenantId { get; set; }
    }
}
