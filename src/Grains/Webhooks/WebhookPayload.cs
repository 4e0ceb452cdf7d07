using System.Text.Json;
using System.Text.Json.Serialization;
using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Webhooks;

/// <summary>The JSON body POSTed to a webhook (documented in <c>docs/alarms.md</c>).</summary>
/// <param name="Event"><c>alarm.created</c> (revision 1) or <c>alarm.updated</c>.</param>
/// <param name="IdempotencyKey">Same as the <c>Idempotency-Key</c> header: <c>{alarmId}.{revision}</c>.</param>
/// <param name="TenantId">The tenant.</param>
/// <param name="Alarm">The alarm as of this revision.</param>
public sealed record WebhookPayload(string Event, string IdempotencyKey, string TenantId, WebhookAlarm Alarm)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The event name of a new alarm.</summary>
    public const string Created = "alarm.created";

    /// <summary>The event name of an update.</summary>
    public const string Updated = "alarm.updated";

    /// <summary>The idempotency key of an alarm revision.</summary>
    public static string KeyOf(AlarmRecord alarm) => $"{alarm.Id}.{alarm.Revision}";

    /// <summary>Builds and serialises the body for an alarm revision (UTF-8).</summary>
    public static byte[] Serialize(AlarmRecord alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var payload = new WebhookPayload(
            alarm.Revision == 1 ? Created : Updated,
            KeyOf(alarm),
            alarm.TenantId,
            new WebhookAlarm(
                alarm.Id, alarm.Status, alarm.Revision, alarm.Source.MailboxId, alarm.IncidentNumber, alarm.Keyword, alarm.Text,
                alarm.Fields, alarm.Position, alarm.Late, alarm.ReceivedAt, alarm.EvaluatedAt, alarm.Source.MessageId, alarm.Source.From,
                alarm.Source.OriginalFrom, alarm.Source.Subject, alarm.Source.SentAt));
        return JsonSerializer.SerializeToUtf8Bytes(payload, Json);
    }
}

/// <summary>The alarm inside a <see cref="WebhookPayload"/>.</summary>
/// <param name="Id">Alarm id.</param>
/// <param name="Status"><c>New</c> or <c>Updated</c>.</param>
/// <param name="Revision">1 for new, then 2, 3, ….</param>
/// <param name="MailboxId">The mailbox of the latest mail.</param>
/// <param name="IncidentNumber">Einsatznummer, or null.</param>
/// <param name="Keyword">Stichwort, or null.</param>
/// <param name="Text">The alarm text.</param>
/// <param name="Fields">All extracted fields.</param>
/// <param name="Position">Latitude/longitude, or null.</param>
/// <param name="Late">Whether the mail came late.</param>
/// <param name="ReceivedAt">When the first mail was fetched (UTC).</param>
/// <param name="EvaluatedAt">When this revision was evaluated (UTC).</param>
/// <param name="MessageId">Message-ID of the latest mail.</param>
/// <param name="From">Sender of the latest mail.</param>
/// <param name="OriginalFrom">Original sender of a forwarded mail, or null.</param>
/// <param name="Subject">Subject of the latest mail.</param>
/// <param name="SentAt">When the latest mail was sent.</param>
public sealed record WebhookAlarm(
    string Id,
    AlarmStatus Status,
    int Revision,
    string MailboxId,
    string? IncidentNumber,
    string? Keyword,
    string Text,
    IReadOnlyDictionary<string, string> Fields,
    GeoPosition? Position,
    bool Late,
    DateTimeOffset ReceivedAt,
    DateTimeOffset EvaluatedAt,
    string? MessageId,
    string? From,
    string? OriginalFrom,
    string Subject,
    DateTimeOffset SentAt);
