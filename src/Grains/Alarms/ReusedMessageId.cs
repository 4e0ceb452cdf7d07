using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Tells a mail that repeats an earlier one under the same Message-ID from a different mail whose sender reused the
/// Message-ID. RFC 5322 section 3.6.4 makes a Message-ID unique per message, but dispatch gateways exist that send a fixed
/// Message-ID, or one made from the incident number (so an update carries the Message-ID of the first alarm). Treating
/// such a mail as a repeat would drop an alarm or an update, so a Message-ID only recognises a mail when the fields both
/// mails carry agree. Only the built-in labels (<see cref="AlarmLabels.BuiltIn"/>), the incident number and the keyword are
/// compared, and a field counts only when both mails have it: the same mail received through two mailboxes with different
/// custom rules, or with a disclaimer that one relay appended to the text, still agrees. Pure.
/// </summary>
public static class ReusedMessageId
{
    /// <summary>
    /// <see langword="true"/> when <paramref name="evaluation"/> (the new mail) and <paramref name="revision"/> (the stored
    /// revision made from a mail with the same Message-ID) carry different values in a field both have: incident number,
    /// keyword, or one of the built-in labels. Values are compared with whitespace runs collapsed, case-sensitively.
    /// </summary>
    /// <param name="revision">The stored revision whose source has the same Message-ID.</param>
    /// <param name="evaluation">The evaluation of the new mail.</param>
    public static bool Differs(AlarmRevision revision, AlarmEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(revision);
        ArgumentNullException.ThrowIfNull(evaluation);
        if (Disagree(revision.Keyword, evaluation.Keyword))
        {
            return true;
        }

        if (Disagree(revision.Fields.GetValueOrDefault(AlarmLabels.Einsatznummer), evaluation.IncidentNumber))
        {
            return true;
        }

        foreach (var label in AlarmLabels.BuiltIn)
        {
            if (Disagree(revision.Fields.GetValueOrDefault(label), evaluation.Fields.GetValueOrDefault(label)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Disagree(string? stored, string? fresh) =>
        !string.IsNullOrWhiteSpace(stored)
        && !string.IsNullOrWhiteSpace(fresh)
        && !string.Equals(Collapse(stored), Collapse(fresh), StringComparison.Ordinal);

    private static string Collapse(string value) => string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
