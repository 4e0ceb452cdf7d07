using MailKit;
using MailKit.Net.Imap;

namespace AlarmInbox.Grains.Imap;

/// <summary>
/// A MailKit folder whose FETCH literals go into <see cref="CappedLiteralStream"/>s sized by a
/// <see cref="LiteralAllowance"/>, instead of MailKit's growing memory streams that hold whatever the server sends.
/// MailKit meant <see cref="ImapFolder.CreateStream"/> for such subclasses (it calls it with the announced length
/// before it reads the literal).
/// </summary>
internal sealed class CappedImapFolder(ImapFolderConstructorArgs args, LiteralAllowance allowance) : ImapFolder(args)
{
    /// <inheritdoc />
    protected override Stream CreateStream(UniqueId? uid, string section, int offset, int length) =>
        new CappedLiteralStream(length, allowance.Take(length));
}
