using System.Buffers;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Where an accepted SMTP mail is made durable before the 250 reply and waits until the pipeline has it: files on the
/// silo's own disk in the embedded mode (<see cref="InboundSpool"/>), the cluster database in cluster mode on PostgreSQL
/// (<see cref="ClusterSpool"/>), where any silo can hand it off when the accepting one is gone.
/// </summary>
public interface ISpoolStore
{
    /// <summary>Stores a mail durably (fsync, or a committed database transaction) before it returns.</summary>
    /// <param name="envelope">The SMTP envelope; <see cref="SpoolEnvelope.Size"/> is the length of <paramref name="raw"/>.</param>
    /// <param name="raw">The message as received.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is accepted then.</param>
    /// <exception cref="IOException">The disk refused the write (file spool).</exception>
    /// <exception cref="System.Data.Common.DbException">The database refused the write (cluster spool).</exception>
    Task WriteAsync(SpoolEnvelope envelope, ReadOnlySequence<byte> raw, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a mail for its hand-off; <see langword="null"/> when it is gone (handed off already), cut short (a file
    /// written partly before a crash, moved aside), or handed off by another silo now (cluster spool).
    /// </summary>
    Task<SpooledMail?> ReadAsync(string id, CancellationToken cancellationToken);

    /// <summary>Removes a mail the pipeline has (every one of its addresses stored it).</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Counts one more failed hand-off of a mail against <see cref="SmtpOptions.MaxHandOffAttempts"/>, durably with the
    /// mail (a restart or another silo goes on counting).
    /// </summary>
    /// <returns>The failed hand-offs counted so far, this one included; 0 when the mail is gone or another silo holds it now.</returns>
    Task<int> CountFailureAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a mail that failed its hand-off <see cref="SmtpOptions.MaxHandOffAttempts"/> times aside, raw message and
    /// envelope kept: it is not handed off again until an operator puts it back (docs/smtp.md).
    /// </summary>
    /// <returns>Where it is now, for the log (a path, or the table and spool id).</returns>
    Task<string> ParkAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// The mails this silo is to hand off that are not in its queue: at start those left from before, and (cluster
    /// spool) those of silos that are gone, which this call claims for this silo.
    /// </summary>
    Task<IReadOnlyList<SpoolEntry>> TakeOverAsync(CancellationToken cancellationToken);

    /// <summary>Writes and removes a probe of <paramref name="bytes"/> bytes, so that a store that failed is known to work again before the next mail.</summary>
    /// <exception cref="IOException">The disk still refuses the write (file spool).</exception>
    /// <exception cref="System.Data.Common.DbException">The database still refuses the write (cluster spool).</exception>
    Task ProbeAsync(long bytes, CancellationToken cancellationToken);
}
