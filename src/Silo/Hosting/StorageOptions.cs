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

    /// <summary>
    /// PostgreSQL only: how long a silo's database session may sit idle inside an open transaction before the server ends
    /// it and releases its locks (<c>idle_in_transaction_session_timeout</c>, see
    /// <see cref="Storage.PostgreSqlSessionSettings"/>), so that a frozen silo cannot block the survivors' writes of the
    /// same rows. Default 10 s; zero turns it off; from 1 s up otherwise. A value in the connection string's own
    /// <c>Options</c> wins.
    /// </summary>
    public TimeSpan IdleInTransactionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the silo creates or completes the cluster schema at start (tables and named queries; idempotent). Turn it off when a DBA applies the script printed by <c>AlarmInbox.Silo schema</c>.</summary>
    public bool CreateSchema { get; set; } = true;

    /// <summary>Where the Data Protection key ring lives; <c>&lt;DataDirectory&gt;/keys</c> by default. Every silo of a cluster must read the same key ring (a shared folder).</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>
    /// A certificate that encrypts the Data Protection key ring at rest (the keys that encrypt mailbox passwords and
    /// client secrets): a PEM certificate with <see cref="KeyRingCertificateKeyPath"/>, or a PKCS#12 (<c>.pfx</c>) file.
    /// RSA only (XML encryption). Without it the key ring is protected by file permissions alone (owner-only files).
    /// Keep the certificate and its key outside the data folder and in every backup of it: without them the key ring,
    /// and so every stored secret, cannot be read.
    /// </summary>
    public string? KeyRingCertificatePath { get; set; }

    /// <summary>The PEM private key file that goes with a PEM <see cref="KeyRingCertificatePath"/>.</summary>
    public string? KeyRingCertificateKeyPath { get; set; }

    /// <summary>The password of a PKCS#12 <see cref="KeyRingCertificatePath"/>. A secret: give it by environment variable (<c>AlarmInbox__Storage__KeyRingCertificatePassword</c>).</summary>
    public string? KeyRingCertificatePassword { get; set; }
}
