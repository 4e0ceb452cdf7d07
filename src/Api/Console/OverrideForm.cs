using AlarmInbox.Api.Alarms;

namespace AlarmInbox.Api.Console;

/// <summary>The console's form for a mailbox's alarm-setting override; an empty field inherits the tenant's value.</summary>
public sealed class OverrideForm
{
    /// <summary>Whether mails are evaluated; null inherits.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Test mode; null inherits.</summary>
    public bool? TestMode { get; set; }

    /// <summary>Whether the original sender of a forwarded mail counts; null inherits.</summary>
    public bool? MatchForwardedSender { get; set; }

    /// <summary>Allowed senders, one per line; empty inherits.</summary>
    public string? AllowedSenders { get; set; }

    /// <summary>The label of the keyword; empty inherits.</summary>
    public string? KeywordLabel { get; set; }

    /// <summary>Minutes after which a mail counts as late; empty inherits.</summary>
    public int? LateAfterMinutes { get; set; }

    /// <summary>Minutes within which mails with the same incident number merge; empty inherits.</summary>
    public int? IncidentMergeWindowMinutes { get; set; }

    /// <summary>The API request; what the form does not show (rules, labels, keyword source) is kept from <paramref name="current"/>.</summary>
    public EvaluationSettingsRequest ToRequest(EvaluationSettingsRequest? current)
    {
        var senders = (AllowedSenders ?? "").Split(['\n', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new EvaluationSettingsRequest
        {
            Enabled = Enabled,
            TestMode = TestMode,
            MatchForwardedSender = MatchForwardedSender,
            AllowedSenders = senders.Length == 0 ? null : senders,
            KeywordLabel = string.IsNullOrWhiteSpace(KeywordLabel) ? null : KeywordLabel.Trim(),
            LateAfterMinutes = LateAfterMinutes,
            IncidentMergeWindowMinutes = IncidentMergeWindowMinutes,
            KeywordSource = current?.KeywordSource,
            Labels = current?.Labels,
            Rules = current?.Rules,
        };
    }

    /// <summary>The form of a stored override (or an empty one).</summary>
    public static OverrideForm From(EvaluationSettingsRequest? current) => new()
    {
        Enabled = current?.Enabled,
        TestMode = current?.TestMode,
        MatchForwardedSender = current?.MatchForwardedSender,
        AllowedSenders = current?.AllowedSenders is { } senders ? string.Join('\n', senders) : null,
        KeywordLabel = current?.KeywordLabel,
        LateAfterMinutes = current?.LateAfterMinutes,
        IncidentMergeWindowMinutes = current?.IncidentMergeWindowMinutes,
    };
}
