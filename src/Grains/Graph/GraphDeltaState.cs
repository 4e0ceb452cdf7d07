namespace AlarmInbox.Grains.Graph;

/// <summary>
/// The sync state of a Graph mailbox, persisted with the mailbox (<c>MailboxGrainState.Graph</c>): the delta link is the
/// watermark. It moves only after every message of its round has been handed to the alarm pipeline and stored.
/// </summary>
[GenerateSerializer]
[Alias("alarminbox.GraphDeltaState")]
public sealed class GraphDeltaState
{
    /// <summary>The most message ids remembered as handed over.</summary>
    public const int HandedOverWindow = 2_000;

    /// <summary>The folder's Graph id, resolved from the configured path on the first round.</summary>
    [Id(0)] public string? FolderId { get; set; }

    /// <summary>The <c>@odata.deltaLink</c> of the last complete round; <see langword="null"/> before the first, or after it expired.</summary>
    [Id(1)] public string? DeltaLink { get; set; }

    /// <summary>The <c>@odata.nextLink</c> of a round that ran out of its per-poll budget; the next poll continues there.</summary>
    [Id(2)] public string? ResumeLink { get; set; }

    /// <summary>When the last round completed (UTC); <see langword="null"/> before the first.</summary>
    [Id(3)] public DateTimeOffset? LastRoundAt { get; set; }

    /// <summary>Mails received from this time on are new in the first round (the mailbox's creation, or the change of its folder).</summary>
    [Id(4)] public DateTimeOffset BaselineAt { get; set; }

    /// <summary>Graph ids of the newest messages handed over, oldest first, at most <see cref="HandedOverWindow"/>.</summary>
    [Id(5)] public List<string> HandedOver { get; set; } = [];

    /// <summary>When <see cref="DeltaLink"/> was last written to storage.</summary>
    [Id(6)] public DateTimeOffset? DeltaLinkSavedAt { get; set; }

    /// <summary>Whether <paramref name="id"/> was handed over already.</summary>
    public bool WasHandedOver(string id) => HandedOver.Contains(id, StringComparer.Ordinal);

    /// <summary>Remembers <paramref name="ids"/> as handed over (the oldest fall out of the window).</summary>
    public void Remember(IEnumerable<string> ids)
    {
        HandedOver.AddRange(ids);
        if (HandedOver.Count > HandedOverWindow)
        {
            HandedOver.RemoveRange(0, HandedOver.Count - HandedOverWindow);
        }
    }

    /// <summary>Undoes <see cref="Remember"/> for a hand-over that failed before it was stored.</summary>
    public void Forget(IReadOnlyCollection<string> ids) => HandedOver.RemoveAll(ids.Contains);
}
