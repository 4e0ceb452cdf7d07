namespace AlarmInbox.Grains.Graph;

/// <summary>One page of a delta round: its entries and either the link to the next page or the delta link that ends the round.</summary>
/// <param name="Messages">The entries, in Graph's order.</param>
/// <param name="NextLink"><c>@odata.nextLink</c>: more pages follow.</param>
/// <param name="DeltaLink"><c>@odata.deltaLink</c>: the round is complete; the link starts the next one.</param>
public sealed record GraphDeltaPage(IReadOnlyList<GraphMessageRef> Messages, string? NextLink, string? DeltaLink);
