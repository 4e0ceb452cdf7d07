namespace AlarmInbox.Grains.Interfaces.Ingestion;

/// <summary>What the alarm pipeline did with one mail.</summary>
[GenerateSerializer]
[Alias("alarminbox.IngestDisposition")]
public enum IngestDisposition
{
    /// <summary>Evaluated: a new alarm, an incident update, a test alarm or a rejected record.</summary>
    Evaluated = 0,

    /// <summary>The same mail was handled before on another path or under another UID of the tenant: recorded as a receipt on its alarm, nothing delivered.</summary>
    Repeat = 1,

    /// <summary>Handed in before with the same path key (a retry after a crash): nothing changed.</summary>
    Skipped = 2,

    /// <summary>Evaluation is off for the mailbox: no alarm record.</summary>
    Disabled = 3,

    /// <summary>The tenant was deleted (the mail was on its way when the delete ran): nothing stored, nothing delivered.</summary>
    TenantDeleted = 4,
}
