namespace AlarmInbox.Grains.Imap;

/// <summary>
/// How many bytes of the literals (message bodies) a server sends in FETCH replies one connection keeps: at most
/// <see cref="PerLiteral"/> per literal, and at most what <see cref="Reset"/> allowed for one command together, whatever
/// sizes the server announced before. What goes beyond is read from the connection and dropped.
/// </summary>
/// <param name="perLiteral">The most bytes kept of one literal (<see cref="ImapOptions.MaxMessageBytes"/>).</param>
/// <remarks>Used by one connection, one command at a time.</remarks>
internal sealed class LiteralAllowance(int perLiteral)
{
    private long _remaining = long.MaxValue;

    /// <summary>The most bytes kept of one literal.</summary>
    public int PerLiteral { get; } = perLiteral;

    /// <summary>Allows the literals of the next command <paramref name="total"/> bytes together.</summary>
    public void Reset(long total) => _remaining = total;

    /// <summary>Takes the bytes kept of a literal announced with <paramref name="announced"/> bytes.</summary>
    /// <returns>How many bytes of it are kept (0 to <see cref="PerLiteral"/>).</returns>
    public int Take(int announced)
    {
        // MailKit reads the announced length as an int: a literal above 2 GiB shows as negative.
        var wanted = announced < 0 ? int.MaxValue : announced;
        var kept = (int)Math.Min(Math.Min(wanted, PerLiteral), Math.Max(0, _remaining));
        _remaining -= kept;
        return kept;
    }
}
