namespace AlarmInbox.Silo.Smtp;

/// <summary>A mail read back from the spool.</summary>
/// <param name="Envelope">The SMTP envelope.</param>
/// <param name="Raw">The raw message (RFC 5322) as received, dot-stuffing removed.</param>
public sealed record SpooledMail(SpoolEnvelope Envelope, byte[] Raw);
