using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AlarmInbox.Bench;

/// <summary>
/// A Dovecot for the scale benchmarks: scripts/dev-imap.sh with <c>ALARMINBOX_IMAP_HIGH_PERFORMANCE=1</c> in a folder
/// of its own; users are written straight into the passwd-file and their Maildirs created on disk, and mail is delivered
/// by dropping files into <c>Maildir/new</c>.
/// </summary>
public sealed class LoadDovecot : IAsyncDisposable
{
    /// <summary>The password of every user.</summary>
    public const string Password = "geheim";

    private readonly string _root;
    private readonly string _dir;
    private readonly Dictionary<string, string> _env;
    private long _deliveries;
    private bool _started;

    private LoadDovecot(string root, string dir, int port, int maxConnections)
    {
        _root = root;
        _dir = dir;
        Port = port;
        _env = new()
        {
            ["ALARMINBOX_IMAP_DIR"] = dir,
            ["ALARMINBOX_IMAP_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["ALARMINBOX_IMAPS_PORT"] = BenchEnvironment.FreePort().ToString(CultureInfo.InvariantCulture),
            ["ALARMINBOX_IMAP_HIGH_PERFORMANCE"] = "1",
            ["ALARMINBOX_IMAP_MAX_CONNECTIONS"] = maxConnections.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The plain IMAP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The pid of the Dovecot master process.</summary>
    public int MasterPid => int.Parse(File.ReadAllText(Path.Combine(_dir, "run", "master.pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Dovecot's CPU seconds so far: the master and every live descendant, with their reaped children.</summary>
    public double CpuSeconds() => ProcFs.TreeCpuSeconds(MasterPid);

    /// <summary>Established connections to the IMAP port.</summary>
    public int Connections() => ProcFs.EstablishedConnections(Port);

    /// <summary>The user name of user number <paramref name="index"/>.</summary>
    public static string User(int index) => $"load{index.ToString(CultureInfo.InvariantCulture)}@bench.example";

    /// <summary>Starts Dovecot in <paramref name="dir"/>, sized for <paramref name="maxConnections"/> concurrent sessions.</summary>
    public static async Task<LoadDovecot> StartAsync(string root, string dir, int maxConnections, CancellationToken cancellationToken)
    {
        var dovecot = new LoadDovecot(root, dir, BenchEnvironment.FreePort(), maxConnections);
        dovecot._started = true;
        try
        {
            await dovecot.RunScriptAsync(cancellationToken, "start");
            return dovecot;
        }
        catch
        {
            await dovecot.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates users 0 … <paramref name="count"/> − 1 with empty Maildirs, owned by nobody:nogroup as Dovecot's mail processes run.</summary>
    public async Task CreateUsersAsync(int count, CancellationToken cancellationToken)
    {
        var mail = Path.Combine(_dir, "mail");
        var passwd = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var user = User(i);
            passwd.Append(user).Append(":{PLAIN}").Append(Password).Append("::::::\n");
            foreach (var sub in new[] { "cur", "new", "tmp" })
            {
                Directory.CreateDirectory(Path.Combine(mail, user, "Maildir", sub));
            }
        }

        await RunAsync("chown", cancellationToken, "-R", "nobody:nogroup", mail);

        // Replace the file in one rename: Dovecot re-reads a passwd-file when its mtime changes.
        var file = Path.Combine(_dir, "passwd");
        var temp = file + ".new";
        await File.WriteAllTextAsync(temp, passwd.ToString(), cancellationToken);
        await RunAsync("chown", cancellationToken, "root:dovecot", temp);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.Move(temp, file, overwrite: true);
    }

    /// <summary>Delivers a small mail with <paramref name="subject"/> to a user: written to <c>Maildir/tmp</c>, then renamed into <c>Maildir/new</c> (the Maildir delivery protocol).</summary>
    /// <returns>The time the mail became visible in <c>new</c>.</returns>
    public DateTimeOffset Deliver(string user, string subject)
    {
        var maildir = Path.Combine(_dir, "mail", user, "Maildir");
        var now = DateTimeOffset.UtcNow;
        var micro = now.Ticks / 10 % 1_000_000;
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{now.ToUnixTimeSeconds()}.M{micro}P{Environment.ProcessId}Q{Interlocked.Increment(ref _deliveries)}.bench");
        var text = string.Create(CultureInfo.InvariantCulture,
            $"From: ILS Bench <alarmierung@ils-bench.example>\r\nTo: {user}\r\nSubject: {subject}\r\nDate: {now:R}\r\nMessage-ID: <{name}@ils-bench.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nEinsatznummer: 2026-999999\r\nStichwort: {subject}\r\n");
        var temp = Path.Combine(maildir, "tmp", name);
        File.WriteAllText(temp, text);
        File.Move(temp, Path.Combine(maildir, "new", name));
        return DateTimeOffset.UtcNow;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            _started = false;
            try
            {
                await RunScriptAsync(CancellationToken.None, "stop");
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine("Stopping Dovecot failed: " + ex.Message);
            }
        }
    }

    private Task RunScriptAsync(CancellationToken cancellationToken, params string[] args) =>
        RunAsync(Path.Combine(_root, "scripts", "dev-imap.sh"), cancellationToken, args);

    private async Task RunAsync(string program, CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in _env)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + program);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed with {process.ExitCode}: {await stderr}");
        }
    }
}
