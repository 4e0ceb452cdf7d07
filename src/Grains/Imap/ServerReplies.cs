using System.Text;
using MailKit;

namespace AlarmInbox.Grains.Imap;

/// <summary>
/// Remembers what an IMAP server said when it last refused something or ended the session: the last <c>NO</c>/<c>BAD</c>
/// status line and the last untagged <c>BYE</c> (RFC 3501 section 7.1). MailKit keeps the server's words out of some
/// exceptions (after <c>AUTHENTICATE</c> its <see cref="MailKit.Security.AuthenticationException"/> says only
/// "Authentication failed", and a <c>BYE</c> becomes an <see cref="MailKit.Net.Imap.ImapProtocolException"/>); failures are
/// told apart by these lines instead.
/// </summary>
/// <remarks>
/// It is attached as MailKit's protocol logger but writes nothing anywhere. It reads only what the server sends (never
/// the client's lines, which carry passwords and tokens), skips literals (message content), and keeps only those two
/// status lines, each cut at <see cref="MaxLineLength"/> characters. Thread-safe: MailKit calls it from its I/O path.
/// </remarks>
public sealed class ServerReplies : IProtocolLogger
{
    /// <summary>The longest status line kept, in characters; the rest of a longer line is dropped.</summary>
    public const int MaxLineLength = 300;

    private readonly Lock _lock = new();
    private readonly byte[] _line = new byte[MaxLineLength];
    private int _length;
    private bool _truncated;
    private long _literalLeft;
    private string? _refusal;
    private string? _bye;

    /// <inheritdoc />
    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>The last <c>NO</c> or <c>BAD</c> line since <see cref="Forget"/>, without its tag (e.g. <c>NO [LIMIT] Maximum number of connections …</c>).</summary>
    public string? LastRefusal
    {
        get
        {
            lock (_lock)
            {
                return _refusal;
            }
        }
    }

    /// <summary>The text of the last untagged <c>BYE</c> since <see cref="Forget"/>.</summary>
    public string? LastBye
    {
        get
        {
            lock (_lock)
            {
                return _bye;
            }
        }
    }

    /// <summary>The server's last words since <see cref="Forget"/>: the <c>BYE</c> if there was one, else the last refusal.</summary>
    public string? LastWords
    {
        get
        {
            lock (_lock)
            {
                return _bye is not null ? "BYE " + _bye : _refusal;
            }
        }
    }

    /// <summary>Forgets what was seen so far (called before each step, so that a reply belongs to the step that failed).</summary>
    public void Forget()
    {
        lock (_lock)
        {
            _refusal = null;
            _bye = null;
        }
    }

    /// <inheritdoc />
    public void LogConnect(Uri uri)
    {
        lock (_lock)
        {
            _length = 0;
            _truncated = false;
            _literalLeft = 0;
        }
    }

    /// <inheritdoc />
    public void LogClient(byte[] buffer, int offset, int count)
    {
        // The client's lines carry credentials: never looked at.
    }

    /// <inheritdoc />
    public void LogServer(byte[] buffer, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        lock (_lock)
        {
            var end = offset + count;
            var i = offset;
            while (i < end)
            {
                if (_literalLeft > 0)
                {
                    var skip = (int)Math.Min(_literalLeft, end - i);
                    _literalLeft -= skip;
                    i += skip;
                    continue;
                }

                var b = buffer[i++];
                if (b == (byte)'\n')
                {
                    EndOfLine();
                }
                else if (_length < _line.Length)
                {
                    _line[_length++] = b;
                }
                else
                {
                    _truncated = true;
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing to release.
    }

    private void EndOfLine()
    {
        var length = _length > 0 && _line[_length - 1] == (byte)'\r' ? _length - 1 : _length;
        var text = Encoding.UTF8.GetString(_line, 0, length);
        var truncated = _truncated;
        _length = 0;
        _truncated = false;

        // A line ending in {n} or {n+} announces n bytes of literal data (RFC 3501 section 4.3, RFC 7888): message content.
        if (!truncated && text.EndsWith('}') && text.LastIndexOf('{') is var open and >= 0
            && long.TryParse(text.AsSpan(open + 1, text.Length - open - 2).TrimEnd('+'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var literal))
        {
            _literalLeft = literal;
        }

        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || text.StartsWith('+'))
        {
            return;
        }

        var rest = text[(space + 1)..];
        if (text.StartsWith("* ", StringComparison.Ordinal) && StartsWithWord(rest, "BYE"))
        {
            _bye = rest[3..].Trim();
        }
        else if (StartsWithWord(rest, "NO") || StartsWithWord(rest, "BAD"))
        {
            _refusal = rest;
        }
    }

    private static bool StartsWithWord(string text, string word) =>
        text.StartsWith(word, StringComparison.OrdinalIgnoreCase) && (text.Length == word.Length || text[word.Length] == ' ');
}
