using System.Security.Cryptography;
using System.Text;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Ids;

namespace AlarmInbox.Grains.Alarms;

/// <summary>Turns an evaluation into an alarm record: a new alarm, or an update of the tenant's alarm of the same incident. Pure.</summary>
public static class IncidentMerger
{
    /// <summary>
    /// Builds the record for one evaluated mail. A mail that is an alarm and whose incident number equals that of an
    /// existing alarm (not rejected, same test-ness) whose latest mail was sent at most
    /// <see cref="EvaluationSettings.IncidentMergeWindowMinutes"/> apart, becomes the next revision of that alarm.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="source">The mail.</param>
    /// <param name="evaluation">Its evaluation.</param>
    /// <param name="settings">The effective settings of its mailbox.</param>
    /// <param name="existing">The tenant's alarms.</param>
    /// <param name="now">The evaluation time (UTC).</param>
    /// <param name="id">The id of a new alarm; by default derived from the mail's idempotency key.</param>
    public static AlarmRecord Build(
        string tenantId, AlarmSource source, AlarmEvaluation evaluation, EvaluationSettings settings, IEnumerable<AlarmRecord> existing, DateTimeOffset now, string? id = null)
    {
        var revision = new AlarmRevision { Revision = 1, Source = source, EvaluatedAt = now, Keyword = evaluation.Keyword, Fields = evaluation.Fields };
        if (evaluation.IsAlarm && FindIncident(evaluation, settings, existing, source) is { } target)
        {
            var fields = new Dictionary<string, string>(target.Fields, StringComparer.Ordinal);
            foreach (var (name, value) in evaluation.Fields)
            {
                fields[name] = value;
            }

            return target with
            {
                Status = settings.TestMode ? AlarmStatus.Test : AlarmStatus.Updated,
                Revision = target.Revision + 1,
                Source = source,
                EvaluatedAt = now,
                Keyword = evaluation.Keyword ?? target.Keyword,
                Text = evaluation.Text,
                Fields = fields,
                Position = evaluation.Position ?? target.Position,
                Late = evaluation.Late,
                MatchedRules = evaluation.MatchedRules,
                RuleErrors = evaluation.RuleErrors,
                History = [.. target.History, revision with { Revision = target.Revision + 1 }],
            };
        }

        return new AlarmRecord
        {
            Id = id ?? AlarmId(tenantId, source),
            TenantId = tenantId,
            Status = !evaluation.IsAlarm ? AlarmStatus.Rejected : settings.TestMode ? AlarmStatus.Test : AlarmStatus.New,
            Revision = 1,
            Source = source,
            ReceivedAt = now,
            EvaluatedAt = now,
            Keyword = evaluation.Keyword,
            Text = evaluation.Text,
            Fields = evaluation.Fields,
            IncidentNumber = evaluation.IncidentNumber,
            Position = evaluation.Position,
            Rejection = evaluation.Rejection,
            Late = evaluation.Late,
            MatchedRules = evaluation.MatchedRules,
            RuleErrors = evaluation.RuleErrors,
            History = [revision],
        };
    }

    /// <summary>
    /// The id of the alarm a mail creates (<see cref="EntityIds"/>): <c>alm-</c> + 16 base-32 characters of a SHA-256 of
    /// tenant and idempotency key, so that a mail handed in again after a crash gets the same id.
    /// </summary>
    public static string AlarmId(string tenantId, AlarmSource source) =>
        EntityIds.FromBytes(EntityIds.Alarm, SHA256.HashData(Encoding.UTF8.GetBytes(tenantId + "\n" + source.Key)));

    private static AlarmRecord? FindIncident(AlarmEvaluation evaluation, EvaluationSettings settings, IEnumerable<AlarmRecord> existing, AlarmSource source)
    {
        if (evaluation.IncidentNumber is null || settings.IncidentMergeWindowMinutes <= 0)
        {
            return null;
        }

        var window = TimeSpan.FromMinutes(settings.IncidentMergeWindowMinutes);
        return existing
            .Where(a => a.Status != AlarmStatus.Rejected
                && (a.Status == AlarmStatus.Test) == settings.TestMode
                && string.Equals(a.IncidentNumber, evaluation.IncidentNumber, StringComparison.Ordinal)
                && (source.SentAt - a.Source.SentAt).Duration() <= window)
            .OrderByDescending(a => a.EvaluatedAt)
            .FirstOrDefault();
    }
}
