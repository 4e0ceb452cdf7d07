using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AlarmInbox.Tests.Edges;

/// <summary>
/// ENVELOPE (RFC 3501 section 7.4.2) of mails with very long header values, from the real Dovecot: anyone can send such a
/// mail to a watched mailbox, and the UIDVALIDITY recovery reads the folder's envelopes.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class LongEnvelopeTests(EdgesFixture fixture)
{
    [Fact]
    public async Task EnvelopesOfMailsWithHugeSubjectsAndMessageIdsAreReadAndCapped()
    {
        var user = await fixture.Imap.CreateUserAsync();
        var ascii = DovecotServer.Mail("B3 " + string.Join(' ', Enumerable.Repeat("Feuer", 4_000)));
        var umlauts = DovecotServer.Mail("TH " + string.Join(' ', Enumerable.Repeat("Überörtlich", 2_000)));
        umlauts.MessageId = new string('m', 6_000) + "@ils.example";
        var uids = await fixture.Imap.AppendAsync(user, [ascii, umlauts, DovecotServer.Mail("kurz")]);
        var options = Options.Create(new ImapOptions());
        var connector = new MailKitImapConnector(options, NullLogger<MailKitImapConnector>.Instance, new ImapLoginLimiter(options));
        await using var session = await connector.OpenAsync(new ImapConnectRequest(fixture.Imap.Host, fixture.Imap.ImapPort, MailboxSecurity.None, user, "geheim", "INBOX"), CancellationToken.None);

        var envelopes = await session.FetchEnvelopesAsync(uids, CancellationToken.None);

        Assert.Equal(uids, envelopes.Select(e => e.Uid));
        Assert.All(envelopes.Take(2), e => Assert.Equal(MailLimits.MaxSubjectLength, e.Subject.Length));
        Assert.StartsWith("B3 Feuer", envelopes[0].Subject, StringComparison.Ordinal);
        Assert.StartsWith("TH Überörtlich", envelopes[1].Subject, StringComparison.Ordinal);
        Assert.Equal(MailLimits.MaxHeaderLength, envelopes[1].MessageId?.Length);
        Assert.Equal("kurz", envelopes[2].Subject);
    }
}
