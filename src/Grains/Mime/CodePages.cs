using System.Text;

namespace AlarmInbox.Grains.Mime;

/// <summary>The code pages .NET only ships with <see cref="CodePagesEncodingProvider"/>, registered once.</summary>
internal static class CodePages
{
    static CodePages()
    {
        // .NET only ships UTF-*, ASCII and ISO-8859-1 without the code pages provider, and MimeKit does not register it.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1252 = Encoding.GetEncoding(1252);
    }

    /// <summary>Windows-1252, the fallback for bytes that are not valid UTF-8.</summary>
    public static Encoding Windows1252 { get; }
}
