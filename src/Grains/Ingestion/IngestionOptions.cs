namespace AlarmInbox.Grains.Ingestion;

/// <summary>Limits of the ingestion path; section <c>AlarmInbox:Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Ingestion";

    /// <summary>
    /// The processing time budget of one mail's decoding (MIME walk, HTML rendering, attached originals): when it runs
    /// out, the mail is stored and evaluated on what was extracted until then, flagged <c>time_budget</c>, and the next
    /// mail goes on. Parsing the raw bytes (linear) is not counted. It runs out when both the wall clock and the decoding
    /// thread's CPU time have passed it, or the wall clock five times it. Default 2 s.
    /// </summary>
    public TimeSpan MailBudget { get; set; } = TimeSpan.FromSeconds(2);
}
