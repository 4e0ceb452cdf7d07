using MailKit;
using MailKit.Net.Imap;

namespace AlarmInbox.Grains.Imap;

/// <summary>A MailKit IMAP client whose folders keep FETCH literals within a <see cref="LiteralAllowance"/> (<see cref="CappedImapFolder"/>).</summary>
/// <param name="protocolLogger">Sees the server's replies (<see cref="ServerReplies"/>).</param>
/// <param name="maxLiteralBytes">The most bytes kept of one literal.</param>
internal sealed class CappedImapClient(IProtocolLogger protocolLogger, int maxLiteralBytes) : ImapClient(protocolLogger)
{
    /// <summary>The allowance of this connection's literals.</summary>
    public LiteralAllowance Allowance { get; } = new(maxLiteralBytes);

    /// <inheritdoc />
    /// <remarks>The base class also passes its APPENDLIMIT to the folder; this product never appends.</remarks>
    protected override ImapFolder CreateImapFolder(ImapFolderConstructorArgs args) => new CappedImapFolder(args, Allowance);
}
