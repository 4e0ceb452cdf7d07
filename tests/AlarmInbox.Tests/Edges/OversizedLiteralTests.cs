using System.Text;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Tests.Edges;

/// <summary>
/// A server whose RFC822.SIZE is smaller than the message it then sends (a tenant admin's own server, or a broken one),
/// from a scripted IMAP server since Dovecot sends what it announces: the adapter keeps no more than the limit of it.
/// </summary>
public sealed class OversizedLiteralTests
{
    private const int Limit = 64 * 1024;

    private const int Sent = 300_000;

    [Fact]
    public async Task AMessageLargerThanItsAnnouncedSizeIsKeptOnlyUpToTheLimitAndFlaggedWithTheSizeSent()
    {
        const string Head = "From: ILS <alarmierung@ils-musterland.example>\r\nSubject: B3 Gross\r\n\r\nEinsatznummer: 2026-999008\r\n";
        var body = Head + new string('x', Sent - Head.Length - 2);
        await using var server = new FakeImapServer((command, line) => FakeImapServer.Basics(command) ?? command switch
        {
            "EXAMINE" or "SELECT" => ["* 1 EXISTS", "* OK [UIDVALIDITY 7] UIDs valid", "* OK [UIDNEXT 6] Predicted next UID", "{tag} OK [READ-ONLY] EXAMINE completed."],
            "UID" when line.Contains("BODY.PEEK[]", StringComparison.Ordinal) => [$"* 1 FETCH (UID 5 BODY[] {{{Sent}}}", body, ")", "{tag} OK FETCH completed."],
            "UID" => ["* 1 FETCH (UID 5 RFC822.SIZE 100 INTERNALDATE \"07-Dec-2026 04:00:00 +0000\")", "{tag} OK FETCH completed."],
            _ => ["{tag} BAD Unknown command."],
        });
        var options = Options.Create(new ImapOptions { MaxMessageBytes = Limit });
        using var limiter = new ImapLoginLimiter(options);
        var connector = new MailKitImapConnector(options, NullLogger<MailKitImapConnector>.Instance, limiter);
        await using var session = await connector.OpenAsync(new ImapConnectRequest("127.0.0.1", server.Port, MailboxSecurity.None, "alarm", "geheim", "INBOX"), CancellationToken.None);

        var summary = Assert.Single(await session.FetchSummariesAsync([5], CancellationToken.None));
        var mail = Assert.Single(await session.FetchAsync([summary], int.MaxValue, CancellationToken.None));

        Assert.Equal(100, summary.Size);
        Assert.True(mail.Partial);
        Assert.Equal(Limit, mail.Raw.Length);
        Assert.Equal(Sent, mail.Size);
        Assert.StartsWith(Head, Encoding.ASCII.GetString(mail.Raw), StringComparison.Ordinal);
    }
}
