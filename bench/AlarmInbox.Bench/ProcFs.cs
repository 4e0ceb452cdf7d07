using System.Globalization;

namespace AlarmInbox.Bench;

/// <summary>Process CPU, memory and TCP figures read from Linux's <c>/proc</c>.</summary>
public static class ProcFs
{
    // /proc/<pid>/stat counts CPU in clock ticks; USER_HZ is 100 on Linux.
    private const double TicksPerSecond = 100.0;

    /// <summary>CPU seconds (user + system) the process itself used so far.</summary>
    public static double CpuSeconds(int pid) => Stat(pid) is { } s ? (s.UTime + s.STime) / TicksPerSecond : 0;

    /// <summary>
    /// CPU seconds of a process and all its live descendants, each with its reaped children (cutime + cstime):
    /// a child that exited and was waited for has its time in its parent's cutime, so the sum only grows.
    /// </summary>
    public static double TreeCpuSeconds(int rootPid)
    {
        var all = new Dictionary<int, StatFields>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Stat(pid) is { } s)
            {
                all[pid] = s;
            }
        }

        var children = all.ToLookup(p => p.Value.PPid, p => p.Key);
        var total = 0L;
        var pending = new Stack<int>([rootPid]);
        while (pending.TryPop(out var pid))
        {
            if (all.TryGetValue(pid, out var s))
            {
                total += s.UTime + s.STime + s.CUTime + s.CSTime;
            }

            foreach (var child in children[pid])
            {
                pending.Push(child);
            }
        }

        return total / TicksPerSecond;
    }

    /// <summary>CPU seconds of this process's waited-for children (cutime + cstime of the current process).</summary>
    public static double ReapedChildrenCpuSeconds() =>
        Stat(Environment.ProcessId) is { } s ? (s.CUTime + s.CSTime) / TicksPerSecond : 0;

    /// <summary>Resident memory (VmRSS) in KiB, or 0 if the process is gone.</summary>
    public static long RssKiB(int pid) => StatusKiB(pid, "VmRSS:");

    /// <summary>Peak resident memory (VmHWM) in KiB, or 0 if the process is gone.</summary>
    public static long PeakRssKiB(int pid) => StatusKiB(pid, "VmHWM:");

    /// <summary>Established TCP connections (IPv4 and IPv6) whose local port is <paramref name="port"/>: the server side of each connection.</summary>
    public static int EstablishedConnections(int port)
    {
        var hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        var count = 0;
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var line in File.ReadLines(file).Skip(1))
            {
                // "  sl  local_address rem_address   st ...": field 1 is local address:port, field 3 the state (01 = ESTABLISHED).
                var fields = line.Split(' ', 5, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[3] == "01" && fields[1].EndsWith(hexPort, StringComparison.Ordinal))
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static long StatusKiB(int pid, string key)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static StatFields? Stat(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // the process exited meanwhile
        }

        // The command name (field 2) may contain spaces and parentheses: fields after the last ')' start with the state (field 3).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long F(int field) => long.Parse(fields[field - 3], CultureInfo.InvariantCulture);
        return new StatFields((int)F(4), F(14), F(15), F(16), F(17));
    }

    private readonly record struct StatFields(int PPid, long UTime, long STime, long CUTime, long CSTime);
}
