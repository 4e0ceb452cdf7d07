namespace AlarmInbox.Grains.Tenants;

/// <summary>The persisted tenant (state name <c>tenant</c>).</summary>
[GenerateSerializer]
[Alias("alarminbox.TenantGrainState")]
public sealed class TenantGrainState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public string Name { get; set; } = "";

    [Id(2)] public DateTimeOffset CreatedAt { get; set; }

    [Id(3)] public List<string> MailboxIds { get; set; } = [];

    /// <summary>
    /// The tenant was deleted, which closed its alarm pipeline (<c>ITenantAlarmsGrain.DeleteAsync</c>): a tenant created
    /// again under the id opens it first. Kept instead of an empty row so that other creates need no call for that.
    /// </summary>
    [Id(4)] public bool Deleted { get; set; }
}
