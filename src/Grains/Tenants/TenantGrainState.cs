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
}
