using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// The durable spool of accepted mails on the silo's own disk (the embedded mode): one file <c>&lt;id&gt;.msg</c> per mail (a JSON <see cref="SpoolEnvelope"/> line,
/// then the raw message), written and fsynced before the 250 reply, removed only after the pipeline has the mail.
/// The file is written in place (no rename): an fsync of a new file also persists its directory entry on ext4 and XFS,
/// a later rename would not be covered by it. A file shorter than its envelope says was cut by a crash before the 250
/// and is moved to <c>broken/</c>, never deleted. Failed hand-offs are counted in <c>&lt;id&gt;.failures</c> next to the
/// mail; a mail that failed <see cref="SmtpOptions.MaxHandOffAttempts"/> times is moved to <c>parked/</c>.
/// </summary>
public sealed class InboundSpool : ISpoolStore
{
    private const string Extension = ".msg";
    private const string FailuresExtension = ".failures";
    private readonly string _directory;
    private readonly string _broken;
    private readonly string _parked;

    /// <summary>Creates the spool in <paramref name="directory"/> (created when missing).</summary>
    public InboundSpool(string directory)
    {
        _directory = Path.GetFullPath(directory);
        _broken = Path.Combine(_directory, "broken");
        _parked = Path.Combine(_directory, "parked");
        Directory.CreateDirectory(_directory);
    }

    /// <summary>The spool folder.</summary>
    public string DirectoryPath => _directory;

    /// <summary>Writes a mail and flushes it to the disk (fsync) before it returns.</summary>
    /// <exception cref="IOException">The write failed (disk full, …); nothing was accepted.</exception>
    public async Task WriteAsync(SpoolEnvelope envelope, ReadOnlySequence<byte> raw, CancellationToken cancellationToken)
    {
        var path = PathOf(envelope.Id);
        var header = JsonSerializer.SerializeToUtf8Bytes(envelope);
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81_920, useAsync: true);
            await file.WriteAsync(header, cancellationToken);
            file.WriteByte((byte)'\n');
            foreach (var segment in raw)
            {
                await file.WriteAsync(segment, cancellationToken);
            }

            file.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(path);
            throw;
        }
    }

    /// <summary>
    /// Checks that <paramref name="bytes"/> bytes can be written and flushed to the disk of the spool (a probe file that is
    /// removed again), so that a spool that failed is known to work again before the next mail arrives.
    /// </summary>
    /// <exception cref="IOException">The disk still refuses the write.</exception>
    public async Task ProbeAsync(long bytes, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_directory, ".probe");
        var chunk = new byte[(int)Math.Min(Math.Max(bytes, 1), 81_920)];
        try
        {
            await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0, useAsync: true);
            for (var left = Math.Max(bytes, 1); left > 0; left -= chunk.Length)
            {
                await file.WriteAsync(chunk.AsMemory(0, (int)Math.Min(left, chunk.Length)), cancellationToken);
            }

            file.Flush(flushToDisk: true);
        }
        finally
        {
            TryDelete(path);
        }
    }

    /// <summary>Every spooled mail, oldest first: at start, those left from before are handed off again.</summary>
    public Task<IReadOnlyList<SpoolEntry>> TakeOverAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SpoolEntry>>([.. List().Select(id => new SpoolEntry(id, ReadTenant(id) ?? ""))]);

    /// <summary>Lists the spooled mail ids, oldest first.</summary>
    public IReadOnlyList<string> List() =>
        [.. Directory.EnumerateFiles(_directory, "*" + Extension).Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>Reads a spooled mail, or returns <see langword="null"/> when it is gone or incomplete (then moved to <c>broken/</c>).</summary>
    public async Task<SpooledMail?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        var path = PathOf(id);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        var newline = Array.IndexOf(bytes, (byte)'\n');
        SpoolEnvelope? envelope = null;
        if (newline > 0)
        {
            try
            {
                envelope = JsonSerializer.Deserialize<SpoolEnvelope>(bytes.AsSpan(0, newline));
            }
            catch (JsonException)
            {
                envelope = null;
            }
        }

        if (envelope is null || bytes.Length - newline - 1 != envelope.Size)
        {
            MoveToBroken(id);
            return null;
        }

        return new SpooledMail(envelope, bytes[(newline + 1)..]);
    }

    /// <summary>The tenant of a spooled mail's first route, from its envelope line only; <see langword="null"/> when the entry is gone or unreadable.</summary>
    public string? ReadTenant(string id)
    {
        try
        {
            using var reader = new StreamReader(PathOf(id));
            return reader.ReadLine() is { } line ? JsonSerializer.Deserialize<SpoolEnvelope>(line)?.Routes.FirstOrDefault()?.TenantId : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Removes a mail that the pipeline has, with its failure count.</summary>
    public Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        TryDelete(PathOf(id));
        TryDelete(FailuresPathOf(id));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Counts a failed hand-off in <c>&lt;id&gt;.failures</c> (a number; not flushed to the disk: a count lost with a
    /// crash only allows a few more attempts).
    /// </summary>
    /// <exception cref="IOException">The count cannot be written.</exception>
    public async Task<int> CountFailureAsync(string id, CancellationToken cancellationToken)
    {
        if (!File.Exists(PathOf(id)))
        {
            return 0;
        }

        var path = FailuresPathOf(id);
        var counted = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : "";
        var failures = int.TryParse(counted, NumberStyles.None, CultureInfo.InvariantCulture, out var before) ? before + 1 : 1;
        await File.WriteAllTextAsync(path, failures.ToString(CultureInfo.InvariantCulture), cancellationToken);
        return failures;
    }

    /// <summary>Moves the mail to <c>parked/&lt;id&gt;.msg</c> (same format as in the spool) and drops its failure count.</summary>
    /// <exception cref="IOException">The file cannot be moved.</exception>
    public Task<string> ParkAsync(string id, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_parked);
        var target = Path.Combine(_parked, id + Extension);
        File.Move(PathOf(id), target, overwrite: true);
        TryDelete(FailuresPathOf(id));
        return Task.FromResult(target);
    }

    /// <summary>Moves a mail that cannot be handed off (cut short, or not a message) to <c>broken/</c> for an operator.</summary>
    public void MoveToBroken(string id)
    {
        Directory.CreateDirectory(_broken);
        File.Move(PathOf(id), Path.Combine(_broken, id + Extension), overwrite: true);
    }

    /// <summary>A new time-ordered spool id.</summary>
    public static string NewId() => "smtp-" + Guid.CreateVersion7().ToString("N");

    private string PathOf(string id)
    {
        if (id.Length == 0 || id.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || id.Contains(".."))
        {
            throw new ArgumentException("Not a spool id.", nameof(id));
        }

        return Path.Combine(_directory, id + Extension);
    }

    private string FailuresPathOf(string id) => Path.ChangeExtension(PathOf(id), FailuresExtension);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the next start-up scan; hand-off is idempotent.
        }
    }
}
