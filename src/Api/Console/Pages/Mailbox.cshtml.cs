using AlarmInbox.Api.Mailboxes;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>A mailbox: status, newest messages, poll now, pause/resume, delete with confirmation.</summary>
public sealed class MailboxModel : ConsolePage
{
    /// <summary>The mailbox.</summary>
    public MailboxResponse? Mailbox { get; private set; }

    /// <summary>Its newest messages.</summary>
    public IReadOnlyList<MessageResponse> Messages { get; private set; } = [];

    /// <summary>The result of "poll now", or null.</summary>
    public PollResponse? Poll { get; private set; }

    /// <summary>When the Office 365 or Graph client secret expires, or null when not known (or not such a mailbox).</summary>
    public CredentialExpiry? SecretExpiry { get; private set; }

    /// <summary>When the Office 365 or Graph certificate expires, or null.</summary>
    public CredentialExpiry? CertificateExpiry { get; private set; }

    /// <summary>Whether a delete was sent without the confirmation box.</summary>
    public bool ConfirmMissing { get; private set; }

    /// <summary>Loads the page.</summary>
    public Task<IActionResult> OnGetAsync(string tenantId, string mailboxId) => LoadAsync(tenantId, mailboxId);

    /// <summary>Polls now and shows what the poll did.</summary>
    public async Task<IActionResult> OnPostPollAsync(string tenantId, string mailboxId)
    {
        var poll = await Api.SendJsonAsync<PollResponse>(HttpMethod.Post, Path(tenantId, mailboxId) + "/poll", null, HttpContext.RequestAborted);
        if (!poll.Succeeded)
        {
            return await FailedAsync(poll.Problem!);
        }

        Poll = poll.Value;
        return await LoadAsync(tenantId, mailboxId);
    }

    /// <summary>Pauses polling.</summary>
    public Task<IActionResult> OnPostPauseAsync(string tenantId, string mailboxId) => ActAsync(tenantId, mailboxId, "/pause", "Mailbox.Paused");

    /// <summary>Resumes polling.</summary>
    public Task<IActionResult> OnPostResumeAsync(string tenantId, string mailboxId) => ActAsync(tenantId, mailboxId, "/resume", "Mailbox.Resumed");

    /// <summary>Deletes the mailbox when the confirmation box is ticked.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(string tenantId, string mailboxId, [FromForm] bool confirm)
    {
        if (!confirm)
        {
            ConfirmMissing = true;
            return await LoadAsync(tenantId, mailboxId);
        }

        var deleted = await Api.SendJsonAsync<object>(HttpMethod.Delete, Path(tenantId, mailboxId), null, HttpContext.RequestAborted);
        if (!deleted.Succeeded)
        {
            return await FailedAsync(deleted.Problem!);
        }

        Notice = Text["Mailbox.Deleted"];
        return Redirect("/t/" + Uri.EscapeDataString(tenantId));
    }

    private async Task<IActionResult> ActAsync(string tenantId, string mailboxId, string action, string notice)
    {
        var result = await Api.SendJsonAsync<MailboxResponse>(HttpMethod.Post, Path(tenantId, mailboxId) + action, null, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            return await FailedAsync(result.Problem!);
        }

        Notice = Text[notice];
        return Redirect($"/t/{Uri.EscapeDataString(tenantId)}/mailboxes/{Uri.EscapeDataString(mailboxId)}");
    }

    private async Task<IActionResult> LoadAsync(string tenantId, string mailboxId)
    {
        var mailbox = await Api.GetAsync<MailboxResponse>(Path(tenantId, mailboxId), HttpContext.RequestAborted);
        if (!mailbox.Succeeded)
        {
            return await FailedAsync(mailbox.Problem!);
        }

        Mailbox = mailbox.Value;
        var now = HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        SecretExpiry = CredentialExpiry.Of(Mailbox!.Office365?.ClientSecretExpiresAt, now, Text);
        CertificateExpiry = CredentialExpiry.Of(Mailbox.Office365?.CertificateExpiresAt, now, Text);
        var messages = await Api.GetAsync<List<MessageResponse>>(Path(tenantId, mailboxId) + "/messages?limit=20", HttpContext.RequestAborted);
        Messages = messages.Value ?? [];
        return Page();
    }

    private static string Path(string tenantId, string mailboxId) => $"api/tenants/{Uri.EscapeDataString(tenantId)}/mailboxes/{Uri.EscapeDataString(mailboxId)}";
}
