using AlarmInbox.Grains.Interfaces.Inbound;

namespace AlarmInbox.Silo.Smtp;

/// <summary>The SMTP envelope of a spooled mail: the first line of its spool file, as JSON.</summary>
/// <param name="Id">The spool id (time-ordered).</param>
/// <param name="ReceivedAt">When the DATA transfer ended (UTC).</param>
/// <param name="From">The MAIL FROM reverse-path, "" for <c>&lt;&gt;</c>.</param>
/// <param name="Recipients">The accepted RCPT TO addresses, in order.</param>
/// <param name="Routes">The inbound addresses they resolved to (one per distinct address).</param>
/// <param name="Size">The length of the raw message in bytes (what follows the first line).</param>
public sealed record SpoolEnvelope(string Id, DateTimeOffset ReceivedAt, string From, IReadOnlyList<string> Recipients, IReadOnlyList<InboundRoute> Routes, long Size);
