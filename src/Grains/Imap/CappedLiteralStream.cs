namespace AlarmInbox.Grains.Imap;

/// <summary>
/// The stream MailKit writes one literal of a FETCH reply into (see <see cref="CappedImapFolder"/>): a buffer of exactly
/// the kept size, allocated once; bytes beyond it are counted and dropped. Readable from the start once written.
/// </summary>
internal sealed class CappedLiteralStream : MemoryStream
{
    private readonly byte[] _buffer;
    private int _kept;

    /// <summary>Creates the stream for a literal of <paramref name="announced"/> bytes of which <paramref name="keep"/> are kept.</summary>
    public CappedLiteralStream(int announced, int keep)
        : this(new byte[keep], announced)
    {
    }

    private CappedLiteralStream(byte[] buffer, int announced)
        : base(buffer, 0, buffer.Length, writable: true, publiclyVisible: true)
    {
        _buffer = buffer;
        Announced = announced;
    }

    /// <summary>The literal's length as the server announced it (negative above 2 GiB).</summary>
    public int Announced { get; }

    /// <summary>How many bytes were dropped because they did not fit.</summary>
    public long Dropped { get; private set; }

    /// <summary>The kept bytes: the buffer itself when it was filled (no copy).</summary>
    public byte[] Kept => _kept == _buffer.Length ? _buffer : _buffer[.._kept];

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Write(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // Copied here, not through the base class: its span overload calls back into Write(byte[], int, int).
        var fits = Math.Min(buffer.Length, _buffer.Length - _kept);
        if (fits > 0)
        {
            buffer[..fits].CopyTo(_buffer.AsSpan(_kept));
            _kept += fits;
        }

        Dropped += buffer.Length - fits;
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write([value]);
}
