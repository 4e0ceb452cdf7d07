using System.Net.Http.Headers;
using AlarmInbox.Api.Alarms;
using AlarmInbox.Api.Mailboxes;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>
/// The rule tester: paste or upload a mail, or pick a stored message, and see the alarm the mailbox's settings make of
/// it (the API's <c>POST …/evaluate</c>; nothing is stored or delivered), with each field's source highlighted in the
/// mail text and what decided it.
/// </summary>
public sealed class RulesModel : ConsolePage
{
    /// <summary>The tenant.</summary>
    public string TenantId { get; private set; } = "";

    /// <summary>The tenant's mailboxes.</summary>
    public IReadOnlyList<MailboxResponse> Mailboxes { get; private set; } = [];

    /// <summary>The chosen mailbox's newest messages.</summary>
    public IReadOnlyList<MessageResponse> Messages { get; private set; } = [];

    /// <summary>The mailbox whose settings are used.</summary>
    [BindProperty(SupportsGet = true, Name = "mailbox")]
    public string? MailboxId { get; set; }

    /// <summary>A stored message to evaluate (its UID), or null.</summary>
    [BindProperty(SupportsGet = true)]
    public uint? Uid { get; set; }

    /// <summary>A pasted mail: a whole .eml (headers, blank line, body) or just the text.</summary>
    [BindProperty]
    public string? Mail { get; set; }

    /// <summary>An uploaded .eml file.</summary>
    [BindProperty]
    public IFormFile? Upload { get; set; }

    /// <summary>What the API found, or null.</summary>
    public EvaluateResponse? Result { get; private set; }

    /// <summary>Field, value and the rule it came from.</summary>
    public IReadOnlyList<FieldRow> FieldRows { get; private set; } = [];

    /// <summary>What decided: sender check, rejection, rules.</summary>
    public IReadOnlyList<string> Decision { get; private set; } = [];

    /// <summary>The mail text (HTML-encoded) with each field's value marked.</summary>
    public string HighlightedText { get; private set; } = "";

    /// <summary>Shows the form (and evaluates a stored message when <c>uid</c> is given).</summary>
    public async Task<IActionResult> OnGetAsync(string tenantId)
    {
        var loaded = await LoadAsync(tenantId);
        if (loaded is not null)
        {
            return loaded;
        }

        return Uid is null ? Page() : await EvaluateAsync(tenantId);
    }

    /// <summary>Evaluates the pasted, uploaded or chosen mail.</summary>
    public async Task<IActionResult> OnPostAsync(string tenantId) => await LoadAsync(tenantId) ?? await EvaluateAsync(tenantId);

    private async Task<IActionResult> EvaluateAsync(string tenantId)
    {
        HttpContent content;
        string? text = null;
        var query = "";
        if (Upload is { Length: > 0 })
        {
            using var stream = new MemoryStream();
            await Upload.CopyToAsync(stream, HttpContext.RequestAborted);
            content = new ByteArrayContent(stream.ToArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        }
        else if (!string.IsNullOrWhiteSpace(Mail))
        {
            // A pasted mail with headers is sent as a message; anything else as the body text.
            var raw = Mail.ReplaceLineEndings("\r\n");
            var looksLikeMessage = raw.Contains("\r\n\r\n", StringComparison.Ordinal)
                && raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n").All(l => l.StartsWith(' ') || l.StartsWith('\t') || l.Contains(':', StringComparison.Ordinal));
            content = new StringContent(raw, System.Text.Encoding.UTF8, looksLikeMessage ? "message/rfc822" : "text/plain");
            text = looksLikeMessage ? null : Mail;
        }
        else if (Uid is { } uid && Messages.FirstOrDefault(m => m.Uid == uid) is { } stored)
        {
            content = new StringContent(stored.Text, System.Text.Encoding.UTF8, "text/plain");
            text = stored.Text;
            query = $"?subject={Uri.EscapeDataString(stored.Subject)}" + (stored.From is { } from ? $"&from={Uri.EscapeDataString(from)}" : "");
        }
        else
        {
            ModelState.AddModelError(nameof(Mail), Text["Rules.Empty"]);
            return Page();
        }

        var result = await Api.SendAsync<EvaluateResponse>(
            HttpMethod.Post, $"api/tenants/{Uri.EscapeDataString(tenantId)}/mailboxes/{Uri.EscapeDataString(MailboxId!)}/evaluate{query}", content, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            return await FormFailedAsync(result.Problem!, "", _ => nameof(Mail));
        }

        Result = result.Value!;
        FieldRows = RuleTesterView.Rows(Result, Text);
        Decision = RuleTesterView.Decision(Result, Text);
        HighlightedText = RuleTesterView.Highlight(Result.Alarm?.Text ?? text ?? "", FieldRows);
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(string tenantId)
    {
        TenantId = tenantId;
        var mailboxes = await Api.GetAsync<List<MailboxResponse>>($"api/tenants/{Uri.EscapeDataString(tenantId)}/mailboxes", HttpContext.RequestAborted);
        if (!mailboxes.Succeeded)
        {
            return await FailedAsync(mailboxes.Problem!);
        }

        Mailboxes = mailboxes.Value!;
        if (Mailboxes.Count == 0)
        {
            return Page();
        }

        MailboxId = Mailboxes.Any(m => m.Id == MailboxId) ? MailboxId : Mailboxes[0].Id;
        var messages = await Api.GetAsync<List<MessageResponse>>(
            $"api/tenants/{Uri.EscapeDataString(tenantId)}/mailboxes/{Uri.EscapeDataString(MailboxId!)}/messages?limit=20", HttpContext.RequestAborted);
        Messages = messages.Value ?? [];
        return null;
    }
}
