using System.Globalization;
using Npgsql;

namespace AlarmInbox.Silo.Storage;

/// <summary>
/// Server-side settings that every PostgreSQL session of a silo starts with, added to the connection string's
/// <c>Options</c> (the <c>-c name=value</c> start-up parameters of the PostgreSQL wire protocol, which Npgsql passes on
/// for Orleans' ADO.NET providers and for the history tables alike).
/// </summary>
/// <remarks>
/// <para>
/// <c>idle_in_transaction_session_timeout</c> (PostgreSQL 9.6 and later, milliseconds): the server ends a session that
/// has been idle inside an open transaction for longer, which rolls the transaction back and releases its row locks.
/// Without it, a silo that freezes between two statements of a transaction (SIGSTOP, a suspended VM, a stalled host) keeps
/// its locks for as long as it is frozen: the cluster declares it dead within seconds and re-activates its grains on a
/// survivor, but the survivor's first write of the same rows (the same mail's recognition key, say) waits for the lock,
/// and every call queued behind that grain waits with it, so that no mail of the tenant becomes an alarm until the
/// frozen process is gone. Every transaction of the silo runs its statements back to back, so a live silo is never idle
/// in a transaction for long; if it ever is (a pause longer than the timeout), its write fails and is retried like any
/// failed write.
/// </para>
/// <para>A value the connection string's own <c>Options</c> give wins, so an operator can set it otherwise there.</para>
/// </remarks>
public static class PostgreSqlSessionSettings
{
    /// <summary>The start-up parameter (PostgreSQL documentation, "Client Connection Defaults").</summary>
    public const string IdleInTransactionTimeoutParameter = "idle_in_transaction_session_timeout";

    /// <summary>Whether <paramref name="idleInTransactionTimeout"/> is zero (off) or from 1 s to <see cref="int.MaxValue"/> ms (about 24 days; PostgreSQL's limit).</summary>
    public static bool IsValidTimeout(TimeSpan idleInTransactionTimeout) =>
        idleInTransactionTimeout == TimeSpan.Zero
        || (idleInTransactionTimeout >= TimeSpan.FromSeconds(1) && idleInTransactionTimeout.TotalMilliseconds <= int.MaxValue);

    /// <summary>
    /// Returns <paramref name="connectionString"/> with <c>-c idle_in_transaction_session_timeout=&lt;ms&gt;</c> added to its
    /// <c>Options</c>, unless those already name that parameter or <paramref name="idleInTransactionTimeout"/> is zero
    /// (then the connection string is returned as it is).
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="idleInTransactionTimeout">Zero (off), or at least 1 s and at most <see cref="int.MaxValue"/> ms.</param>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative, below 1 s, or too large for PostgreSQL.</exception>
    /// <exception cref="ArgumentException">The connection string cannot be parsed.</exception>
    public static string Apply(string connectionString, TimeSpan idleInTransactionTimeout)
    {
        if (idleInTransactionTimeout == TimeSpan.Zero)
        {
            return connectionString;
        }

        if (!IsValidTimeout(idleInTransactionTimeout))
        {
            throw new ArgumentOutOfRangeException(nameof(idleInTransactionTimeout), idleInTransactionTimeout, "Zero (off), or from 1 s to 24 days.");
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var options = builder.Options ?? "";
        if (options.Contains(IdleInTransactionTimeoutParameter, StringComparison.OrdinalIgnoreCase))
        {
            return connectionString;
        }

        var milliseconds = ((long)idleInTransactionTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        builder.Options = (options.Trim() + $" -c {IdleInTransactionTimeoutParameter}={milliseconds}").Trim();
        return builder.ConnectionString;
    }
}
