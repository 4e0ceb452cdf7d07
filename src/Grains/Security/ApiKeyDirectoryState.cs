using AlarmInbox.Grains.Interfaces.Security;

namespace AlarmInbox.Grains.Security;

/// <summary>The persisted API keys (state name <c>api-key-directory</c>); hashes only.</summary>
[GenerateSerializer]
[Alias("alarminbox.ApiKeyDirectoryState")]
public sealed class ApiKeyDirectoryState
{
    [Id(0)] public List<ApiKeyInfo> Keys { get; set; } = [];
}
