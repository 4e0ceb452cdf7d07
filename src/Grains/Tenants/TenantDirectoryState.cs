namespace AlarmInbox.Grains.Tenants;

/// <summary>The persisted list of tenant ids (state name <c>tenant-directory</c>).</summary>
[GenerateSerializer]
[Alias("alarminbox.TenantDirectoryState")]
public sealed class TenantDirectoryState
{
    [Id(0)] public List<string> TenantIds { get; set; } = [];
}
