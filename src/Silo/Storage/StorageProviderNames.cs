namespace AlarmInbox.Silo.Storage;

/// <summary>The values of <c>AlarmInbox:Storage:Provider</c> and the ADO.NET invariant each one uses.</summary>
public static class StorageProviderNames
{
    /// <summary>Embedded mode: one silo, SQLite file, localhost clustering, in-memory reminders.</summary>
    public const string Sqlite = "Sqlite";

    /// <summary>Cluster mode on PostgreSQL (Npgsql): membership, grain state and reminders in one database.</summary>
    public const string PostgreSql = "PostgreSql";

    /// <summary>Cluster mode on SQL Server (Microsoft.Data.SqlClient).</summary>
    public const string SqlServer = "SqlServer";

    /// <summary>Returns the canonical spelling of <paramref name="provider"/> (case-insensitive), or <see langword="null"/> if it is unknown.</summary>
    public static string? Normalize(string? provider) => provider switch
    {
        _ when string.Equals(provider, Sqlite, StringComparison.OrdinalIgnoreCase) => Sqlite,
        _ when string.Equals(provider, PostgreSql, StringComparison.OrdinalIgnoreCase) => PostgreSql,
        _ when string.Equals(provider, SqlServer, StringComparison.OrdinalIgnoreCase) => SqlServer,
        _ => null,
    };

    /// <summary>Whether <paramref name="provider"/> (canonical) is a cluster provider (membership and reminders in the database).</summary>
    public static bool IsCluster(string provider) => provider is PostgreSql or SqlServer;

    /// <summary>The ADO.NET invariant name Orleans expects for <paramref name="provider"/> (canonical).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The provider is unknown.</exception>
    public static string Invariant(string provider) => provider switch
    {
        Sqlite => "System.Data.SQLite",
        PostgreSql => "Npgsql",
        SqlServer => "Microsoft.Data.SqlClient",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown storage provider."),
    };
}
