using System.Text;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Joins the lines of a <c>text/plain; format=flowed</c> part (RFC 3676): a line that ends in a space is continued by the
/// next line of the same quote depth (with <c>DelSp=yes</c> that space is removed), a leading space that protects a line
/// (space-stuffing) is removed, the signature separator <c>"-- "</c> is never joined. Linear in the input.
/// </summary>
internal static class FlowedText
{
    /// <summary>The text with its soft line breaks joined and "\n" line endings.</summary>
    /// <param name="text">The decoded part.</param>
    /// <param name="delSp">The part's <c>DelSp</c> parameter is <c>yes</c>.</param>
    public static string Unflow(string text, bool delSp)
    {
        var result = new StringBuilder(text.Length);
        var open = false;
        var openDepth = 0;
        var start = 0;
        while (start <= text.Length)
        {
            var lineEnd = text.IndexOf('\n', start);
            var next = lineEnd < 0 ? text.Length + 1 : lineEnd + 1;
            var line = text.AsSpan(start, (lineEnd < 0 ? text.Length : lineEnd) - start);
            if (line.EndsWith("\r"))
            {
                line = line[..^1];
            }

            start = next;
            var depth = 0;
            while (depth < line.Length && line[depth] == '>')
            {
                depth++;
            }

            var content = line[depth..];
            if (content.StartsWith(" "))
            {
                content = content[1..];
            }

            var signature = content.SequenceEqual("-- ");
            if (open && (depth != openDepth || signature))
            {
                // A flowed line followed by one of another quote depth, or by the signature separator, ends its paragraph
                // there (RFC 3676 sections 4.3 and 4.5).
                result.Append('\n');
                open = false;
            }

            if (!open && depth > 0)
            {
                result.Append('>', depth).Append(' ');
            }

            var flowed = content.EndsWith(" ") && !signature;
            result.Append(flowed && delSp ? content[..^1] : content);
            open = flowed;
            openDepth = depth;
            if (!flowed && start <= text.Length)
            {
                result.Append('\n');
            }
        }

        return result.ToString();
    }
}
