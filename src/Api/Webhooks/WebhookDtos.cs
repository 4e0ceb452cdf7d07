using System.Text.Json.Serialization;
using AlarmInbox.Grains.Interfaces.Webhooks;

namespace AlarmInbox.Api.Webhooks;

/// <summary>Body of <c>POST …/webhooks</c> and <c>PUT …/webhooks/{webhookId}</c>. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WebhookRequest
{
    /// <summary>A name for people, 1–200 characters.</summary>
    public string? Name { get; init; }

    /// <summary>Absolute https:// or http:// URL.</summary>
    public string? Url { get; init; }

    /// <summary>Write-only HMAC secret, 16–256 characters. Required on create; omitted on update keeps the stored one.</summary>
    public string? Secret { get; init; }

    /// <summary>Whether new alarms are delivered to it; default true.</summary>
    public bool? Enabled { get; init; }

    internal WebhookSettings ToSettings() => new() { Name = Name?.Trim() ?? "", Url = Url?.Trim() ?? "", Secret = Secret, Enabled = Enabled ?? true };
}

/// <summary>A webhook; its secret is never returned.</summary>
/// <param name="Id">Webhook id (<c>whk-…</c>).</param>
/// <param name="Name">Name.</param>
/// <param name="Url">URL.</param>
/// <param name="HasSecret">Whether a secret is stored.</param>
/// <param name="Enabled">Whether new alarms are delivered to it.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
public sealed record WebhookResponse(string Id, string Name, string Url, bool HasSecret, bool Enabled, DateTimeOffset CreatedAt)
{
    internal static WebhookResponse From(WebhookInfo w) => new(w.Id, w.Name, w.Url, w.HasSecret, w.Enabled, w.CreatedAt);
}
