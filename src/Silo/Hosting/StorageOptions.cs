namespace AlarmInbox.Silo.Hosting;

/// <summary>Where the silo keeps its data; section <c>AlarmInbox:Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Storage";

    /// <summary>The storage provider. <c>Sqlite</c> (embedded default: a file in <see cref="DataDirectory"/>, localhost clustering, in-memory reminders).</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>The data folder of the embedded mode: SQLite file <c>alarminbox.db</c> and the Data Protection key ring <c>keys/</c>. Relative paths are relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Overrides the connection string (for SQLite by default <c>Data Source=&lt;DataDirectory&gt;/alarminbox.db</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Where the Data Protection key ring lives; <c>&lt;DataDirectory&gt;/keys</c> by default. Every silo must read the same key ring.</summary>
    public string? KeyDirectory { get; set; }
}
