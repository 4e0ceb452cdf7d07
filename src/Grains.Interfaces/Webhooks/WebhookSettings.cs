namespace AlarmInbox.Grains.Interfaces.Webhooks;

/// <summary>What an admin sets for a webhook, including its secret. Sent from the API to the grain only; never returned.</summary>
[GenerateSerializer]
[Alias("alarminbox.WebhookSettings")]
public sealed record WebhookSettings
{
    /// <summary>A name for people, 1 to 200 characters.</summary>
    [Id(0)] public string Name { get; init; } = "";

    /// <summary>The absolute <c>https://</c> (or <c>http://</c>) URL the alarms are POSTed to; no user info.</summary>
    [Id(1)] public string Url { get; init; } = "";

    /// <summary>The HMAC-SHA256 key, 16 to 256 characters (UTF-8); write-only. On update, <see langword="null"/> keeps the stored one.</summary>
    [Id(2)] public string? Secret { get; init; }

    /// <summary>Whether new alarms are delivered to it.</summary>
    [Id(3)] public bool Enabled { get; init; } = true;

    /// <summary>Returns the settings without the secret.</summary>
    public override string ToString() => $"WebhookSettings {{ Name = {Name}, Url = {Url}, Enabled = {Enabled} }}";
}
