using MimeKit;
using MimeKit.Tnef;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Walks the MIME tree of one mail without recursion, depth first in document order, down to
/// <see cref="MaxDepth"/> nested multiparts: the <c>text/plain</c> body parts (up to <see cref="MaxPlainParts"/>), the first
/// <c>text/html</c> body part, every leaf, and the first attached mail.
/// Attached mails (<c>message/rfc822</c>, TNEF) are not walked into here; the decoder decodes them as mails of their own.
/// </summary>
internal static class MimeWalker
{
    /// <summary>The deepest multipart nesting walked; parts below are not read and the walk reports <see cref="AlarmInbox.Grains.Interfaces.Mailboxes.MailLimits.MimeDepth"/> in the budget.</summary>
    public const int MaxDepth = 32;

    /// <summary>The most <c>text/plain</c> body parts read; a mail split around inline images has a few, not more.</summary>
    public const int MaxPlainParts = 8;

    /// <summary>Walks <paramref name="message"/>; stops early (keeping what it found) when <paramref name="budget"/> runs out.</summary>
    public static MimeParts Walk(MimeMessage message, DecodeBudget budget)
    {
        var result = new MimeParts();
        if (message.Body is null)
        {
            return result;
        }

        var stack = new Stack<(MimeEntity Entity, int Depth)>();
        stack.Push((message.Body, 0));
        while (stack.Count > 0 && !budget.IsExhausted)
        {
            var (entity, depth) = stack.Pop();
            switch (entity)
            {
                case Multipart multipart:
                    if (depth >= MaxDepth)
                    {
                        budget.Hit(Interfaces.Mailboxes.MailLimits.MimeDepth);
                        break;
                    }

                    for (var i = multipart.Count - 1; i >= 0; i--)
                    {
                        stack.Push((multipart[i], depth + 1));
                    }

                    break;
                case TextPart text when !text.IsAttachment:
                    if (text.IsHtml)
                    {
                        result.Html ??= text;
                    }
                    else if (text.IsPlain && result.Plain.Count < MaxPlainParts)
                    {
                        result.Plain.Add(text);
                    }

                    break;
                case MessagePart { Message: not null } attached:
                    result.Leaves.Add(attached);
                    result.AttachedMessage ??= new AttachedMail(attached.Message, "message/rfc822");
                    break;
                case TnefPart tnef:
                    result.Leaves.Add(tnef);
                    if (result.AttachedMessage is null && TryConvert(tnef) is { } converted)
                    {
                        result.AttachedMessage = new AttachedMail(converted, "application/ms-tnef");
                    }

                    break;
                default:
                    result.Leaves.Add(entity);
                    break;
            }
        }

        return result;
    }

    private static MimeMessage? TryConvert(TnefPart tnef)
    {
        try
        {
            return tnef.Content is null ? null : tnef.ConvertToMessage();
        }
        catch (Exception ex) when (ex is TnefException or InvalidOperationException or IOException or FormatException)
        {
            // A broken winmail.dat is listed as an attachment like any other.
            return null;
        }
    }
}

/// <summary>What <see cref="MimeWalker"/> found in one mail.</summary>
internal sealed class MimeParts
{
    /// <summary>The <c>text/plain</c> parts that are not attachments, in document order (at most <see cref="MimeWalker.MaxPlainParts"/>).</summary>
    public List<TextPart> Plain { get; } = [];

    /// <summary>The first <c>text/html</c> part that is not an attachment.</summary>
    public TextPart? Html { get; set; }

    /// <summary>Every leaf in document order except the body text parts: attachments, inline images, attached mails.</summary>
    public List<MimeEntity> Leaves { get; } = [];

    /// <summary>The first attached mail, or <see langword="null"/>.</summary>
    public AttachedMail? AttachedMessage { get; set; }
}

/// <summary>A mail attached to another.</summary>
/// <param name="Message">The attached mail.</param>
/// <param name="AttachedAs"><c>message/rfc822</c> or <c>application/ms-tnef</c>.</param>
internal sealed record AttachedMail(MimeMessage Message, string AttachedAs);
