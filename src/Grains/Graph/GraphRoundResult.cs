namespace AlarmInbox.Grains.Graph;

/// <summary>What one delta round did.</summary>
/// <param name="HandedOver">New messages handed over.</param>
/// <param name="Pages">Delta pages read.</param>
/// <param name="Removed"><c>@removed</c> entries seen (ignored: a deleted alarm mail stays an alarm).</param>
/// <param name="Restarted">Whether the delta link had expired (HTTP 410) and the round started again without it.</param>
/// <param name="MoreWaiting">Whether the round stopped at its per-poll budget; it continues from <see cref="GraphDeltaState.ResumeLink"/>.</param>
/// <param name="Completed">Whether the round reached its delta link (the watermark moved).</param>
public sealed record GraphRoundResult(int HandedOver, int Pages, int Removed, bool Restarted, bool MoreWaiting, bool Completed);
