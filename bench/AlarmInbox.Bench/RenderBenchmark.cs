using System.Diagnostics;
using System.Globalization;
using System.Text;
using AlarmInbox.Grains.Mime;

namespace AlarmInbox.Bench;

/// <summary>
/// Issue 16, finding 1: the cost of the largest mail the SMTP listener accepts (25 MiB, <c>AlarmInbox:Smtp:MaxMessageBytes</c>)
/// when it is a bomb: nested tables (the shape that was quadratic), flat label rows (output cap), and 1,000 nested MIME
/// levels. Runs the decoder in this process, without a time budget, so the figures are the work itself.
/// Usage: dotnet run -c Release --project bench/AlarmInbox.Bench -- render [--rounds 5]
/// </summary>
public static class RenderBenchmark
{
    private const int LargestMailBytes = 25 * 1024 * 1024;

    /// <summary>Runs the benchmark and prints markdown rows.</summary>
    public static int Run(string[] args)
    {
        var rounds = args.Length >= 3 && args[1] == "--rounds" ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        Console.WriteLine($"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}, {rounds} rounds each, no time budget.");
        Measure("nested tables", rounds, NestedTables());
        Measure("flat label rows", rounds, FlatRows());
        Measure("1,000 nested multiparts", rounds, NestedMultiparts(1_000));
        return 0;
    }

    private static void Measure(string name, int rounds, byte[] raw)
    {
        var decoder = new MailDecoder();
        var times = new List<double>();
        IReadOnlyList<string> limits = [];
        var textLength = 0;
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            using var stream = new MemoryStream(raw, writable: false);
            var mail = decoder.Decode(stream, 1, 1, null, raw.Length, DateTimeOffset.UtcNow, DecodeBudget.Unlimited, CancellationToken.None);
            times.Add(watch.Elapsed.TotalMilliseconds);
            limits = mail.Limits;
            textLength = mail.Text.Length;
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {raw.Length / 1024.0 / 1024.0:0.0} MiB | {Stats.Percentile(times, 50):0} ms | {times.Max():0} ms | {string.Join(", ", limits)} | {textLength} |"));
    }

    private static byte[] Mail(string contentType, string body) => Encoding.UTF8.GetBytes(
        "From: Bench <bench@bomb.example>\r\nTo: alarm@ff-musterdorf.example\r\nSubject: Bench\r\nMessage-ID: <bench@bomb.example>\r\n"
        + $"MIME-Version: 1.0\r\nContent-Type: {contentType}\r\n\r\n" + body + "\r\n");

    private static byte[] NestedTables()
    {
        const string open = "<table><tr><td>\r\n";
        const string close = "</td></tr></table>\r\n";
        var depth = (LargestMailBytes - 1024) / (open.Length + close.Length);
        var html = new StringBuilder(LargestMailBytes);
        html.Insert(0, open, depth).Append("<table><tr><td>Einsatznummer</td><td>2026-1</td></tr></table>").Insert(html.Length, close, depth);
        return Mail("text/html; charset=utf-8", html.ToString());
    }

    private static byte[] FlatRows()
    {
        const string row = "<tr><td>Bemerkung</td><td>Zufahrt über den Gärtnerweg</td></tr>\r\n";
        var html = new StringBuilder(LargestMailBytes).Append("<table>");
        html.Insert(html.Length, row, (LargestMailBytes - 1024) / Encoding.UTF8.GetByteCount(row));
        return Mail("text/html; charset=utf-8", html.Append("</table>").ToString());
    }

    private static byte[] NestedMultiparts(int depth)
    {
        var mail = new StringBuilder("From: Bench <bench@bomb.example>\r\nSubject: Bench\r\nMIME-Version: 1.0\r\n");
        for (var i = 0; i < depth; i++)
        {
            mail.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        }

        mail.Append("Content-Type: text/plain\r\n\r\nEinsatznummer: 2026-1\r\n");
        for (var i = depth - 1; i >= 0; i--)
        {
            mail.Append($"--b{i}--\r\n");
        }

        return Encoding.ASCII.GetBytes(mail.ToString());
    }
}
