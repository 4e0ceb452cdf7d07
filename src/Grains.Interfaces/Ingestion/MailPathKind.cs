namespace AlarmInbox.Grains.Interfaces.Ingestion;

/// <summary>How a mail reached AlarmInbox.</summary>
[GenerateSerializer]
[Alias("alarminbox.MailPathKind")]
public enum MailPathKind
{
    /// <summary>Fetched from a watched IMAP mailbox (source id <c>mbx-…</c>).</summary>
    Imap = 0,

    /// <summary>Received over SMTP at an inbound address (source id <c>inb-…</c>).</summary>
    Smtp = 1,

    /// <summary>Fetched through Microsoft Graph as raw MIME (source id <c>mbx-…</c>).</summary>
    Graph = 2,
}
