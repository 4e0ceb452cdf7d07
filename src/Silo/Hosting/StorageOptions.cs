namespace AlarmInbox.Silo.Hosting;

/// <summary>Where the silo keeps its data; section <c>AlarmInbox:Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Storage";

    /// <summary>
    /// The storage provider. <c>Sqlite</c> (embedded default: a file in <see cref="DataDirectory"/>, localhost clustering,
    /// in-memory reminders), <c>PostgreSql</c> or <c>SqlServer</c> (cluster mode: membership, grain state and durable
    /// reminders in the database named by <see cref="ConnectionString"/>).
    /// </summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>The data folder of the embedded mode: SQLite file <c>alarminbox.db</c> and the Data Protection key ring <c>keys/</c>. Relative paths are relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The connection string; required in cluster mode (for SQLite by default <c>Data Source=&lt;DataDirectory&gt;/alarminbox.db</c>). Never logged.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Whether the silo creates or completes the cluster schema at start (tables and named queries; idempotent). Turn it off when a DBA applies the script printed by <c>AlarmInbox.Silo schema</c>.</summary>
    public bool CreateSchema { get; set; } = true;

    /// <summary>Where the Data Protection key ring lives; <c>&lt;DataDirectory&gt;/keys</c> by default. Every silo of a cluster must read the same key ring (a shared folder).</summary>
    public string? KeyDirectory { get; set; }
}
