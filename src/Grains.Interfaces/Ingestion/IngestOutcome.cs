namespace AlarmInbox.Grains.Interfaces.Ingestion;

/// <summary>The alarm pipeline's answer for one mail.</summary>
/// <param name="Uid">The mail's UID on its path.</param>
/// <param name="Disposition">What was done.</param>
/// <param name="AlarmId">The alarm the mail belongs to, or <see langword="null"/> (evaluation off, or skipped).</param>
/// <param name="Late">The late flag (one definition for message and alarm, see <c>AlarmEvaluator.IsLate</c>).</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.IngestOutcome")]
public sealed record IngestOutcome(
    [property: Id(0)] uint Uid,
    [property: Id(1)] IngestDisposition Disposition,
    [property: Id(2)] string? AlarmId,
    [property: Id(3)] bool Late);
