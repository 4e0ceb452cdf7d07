namespace AlarmInbox.Grains;

/// <summary>Names of the Orleans storage providers the grains use.</summary>
public static class StorageNames
{
    /// <summary>The grain storage that holds tenants, mailboxes and their messages.</summary>
    public const string Default = "alarminbox";
}
