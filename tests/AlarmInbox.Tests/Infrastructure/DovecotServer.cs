using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A real Dovecot on loopback, run by <c>scripts/dev-imap.sh</c>. <c>./test.sh</c> starts one and passes it in
/// through <c>ALARMINBOX_TEST_IMAP_DIR</c>/<c>ALARMINBOX_TEST_IMAP_PORT</c>/<c>ALARMINBOX_TEST_IMAPS_PORT</c>;
/// without them (a plain <c>dotnet test</c>) the fixture starts its own and stops it at the end.
/// </summary>
public sealed class DovecotServer : IAsyncLifetime
{
    private static int s_userCounter;

    // 'dev-imap.sh add-user' rewrites the passwd-file; test classes that run in parallel must not interleave it.
    private static readonly SemaphoreSlim s_addUserLock = new(1, 1);
    private bool _ownsServer;

    /// <summary>The state folder of the server.</summary>
    public string StateDirectory { get; private set; } = "";

    /// <summary>The plain IMAP port (STARTTLS available).</summary>
    public int ImapPort { get; private set; }

    /// <summary>The IMAPS port.</summary>
    public int ImapsPort { get; private set; }

    /// <summary>The host to connect to.</summary>
    public string Host => "127.0.0.1";

    private string Script => Path.Combine(RepoPaths.Root, "scripts", "dev-imap.sh");

    private Dictionary<string, string> Environment => new()
    {
        ["ALARMINBOX_IMAP_DIR"] = StateDirectory,
        ["ALARMINBOX_IMAP_PORT"] = ImapPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ALARMINBOX_IMAPS_PORT"] = ImapsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var dir = System.Environment.GetEnvironmentVariable("ALARMINBOX_TEST_IMAP_DIR");
        if (!string.IsNullOrEmpty(dir))
        {
            StateDirectory = dir;
            ImapPort = int.Parse(System.Environment.GetEnvironmentVariable("ALARMINBOX_TEST_IMAP_PORT") ?? "10143", System.Globalization.CultureInfo.InvariantCulture);
            ImapsPort = int.Parse(System.Environment.GetEnvironmentVariable("ALARMINBOX_TEST_IMAPS_PORT") ?? "10993", System.Globalization.CultureInfo.InvariantCulture);
            return;
        }

        _ownsServer = true;
        StateDirectory = Path.Combine("/tmp", "ai-imap-" + Guid.NewGuid().ToString("N")[..8]);
        ImapPort = FreePort.Next();
        ImapsPort = FreePort.Next();
        await ProcessRunner.RunAsync(Script, ["start"], Environment);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_ownsServer)
        {
            await ProcessRunner.RunAsync(Script, ["stop"], Environment);
            Directory.Delete(StateDirectory, recursive: true);
        }
    }

    /// <summary>Creates a fresh user with its own empty INBOX and waits until Dovecot knows it; returns its name.</summary>
    public async Task<string> CreateUserAsync(string password = "geheim")
    {
        var user = $"u{System.Environment.ProcessId}x{Interlocked.Increment(ref s_userCounter)}x{Guid.NewGuid().ToString("N")[..6]}@ff-test.example";
        await s_addUserLock.WaitAsync();
        try
        {
            await ProcessRunner.RunAsync(Script, ["add-user", user, password], Environment);
        }
        finally
        {
            s_addUserLock.Release();
        }

        // A user is only usable once Dovecot has re-read the passwd-file; a login before that fails.
        await WaitUntilUsersVisibleAsync();
        return user;
    }

    /// <summary>Sets the UIDVALIDITY of a user's folder (<c>doveadm mailbox update --uid-validity</c>), as a server migration would.</summary>
    public async Task SetUidValidityAsync(string user, uint uidValidity, string folder = "INBOX") =>
        await ProcessRunner.RunAsync(
            "doveadm",
            ["-c", Path.Combine(StateDirectory, "dovecot.conf"), "mailbox", "update", "-u", user, "--uid-validity", uidValidity.ToString(System.Globalization.CultureInfo.InvariantCulture), folder],
            new Dictionary<string, string>());

    /// <summary>
    /// Waits until Dovecot will see users added so far: its auth process re-reads the passwd-file at most once per
    /// second (seen in its log as "user not found from userdb" right after add-user), so wait for the second after the
    /// file's last change to begin.
    /// </summary>
    public async Task WaitUntilUsersVisibleAsync()
    {
        var changed = File.GetLastWriteTimeUtc(Path.Combine(StateDirectory, "passwd"));
        var visibleFrom = new DateTime(changed.Ticks - (changed.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc).AddSeconds(1);
        await Eventually.WaitForAsync(() => Task.FromResult(DateTime.UtcNow), now => now >= visibleFrom, TimeSpan.FromSeconds(5), "Dovecot's next passwd-file check");
    }

    /// <summary>Stores the HS256 key that bearer tokens must be signed with (<c>dev-imap.sh oauth-key</c>), unless it is already the one in use.</summary>
    public async Task SetOAuthKeyAsync(byte[] key)
    {
        var base64 = Convert.ToBase64String(key);
        var file = Path.Combine(StateDirectory, "oauth-keys", "default", "HS256", "default");
        if (File.Exists(file) && await File.ReadAllTextAsync(file) == base64)
        {
            return;
        }

        await ProcessRunner.RunAsync(Script, ["oauth-key", base64], Environment);
    }

    /// <summary>Appends messages with one MULTIAPPEND over IMAP; returns their UIDs.</summary>
    public async Task<IReadOnlyList<uint>> AppendAsync(string user, IReadOnlyList<MimeMessage> messages, string password = "geheim", string folder = "INBOX", DateTimeOffset? internalDate = null)
    {
        using var client = await ConnectAsync(user, password);
        var target = await client.GetFolderAsync(folder);
        var requests = messages.Select(m => (IAppendRequest)new AppendRequest(m, MessageFlags.None) { InternalDate = internalDate }).ToList();
        var uids = await target.AppendAsync(requests);
        await client.DisconnectAsync(true);
        return uids.Select(u => u.Id).ToList();
    }

    /// <summary>The RFC822.SIZE the server reports for a message of a user's INBOX, in bytes.</summary>
    public async Task<long> SizeAsync(string user, uint uid, string password = "geheim")
    {
        using var client = await ConnectAsync(user, password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var summaries = await client.Inbox.FetchAsync([new UniqueId(uid)], new FetchRequest(MessageSummaryItems.Size));
        await client.DisconnectAsync(true);
        return Assert.Single(summaries).Size ?? throw new InvalidOperationException("Dovecot sent no RFC822.SIZE.");
    }

    /// <summary>Appends one corpus mail (file name in <c>Corpus/mail</c>) exactly as stored; returns its UID.</summary>
    public async Task<uint> AppendCorpusAsync(string user, string fileName, string password = "geheim")
    {
        var raw = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.CorpusMail, fileName));
        using var client = await ConnectAsync(user, password);
        var inbox = client.Inbox;
        using var stream = new MemoryStream(raw);
        var message = await MimeMessage.LoadAsync(stream);
        var uid = await inbox.AppendAsync(new AppendRequest(message, MessageFlags.None));
        await client.DisconnectAsync(true);
        return uid?.Id ?? throw new InvalidOperationException("Dovecot returned no APPENDUID.");
    }

    /// <summary>Makes a simple test mail.</summary>
    public static MimeMessage Mail(string subject, string body = "Einsatznummer: 2026-000001\nStichwort: Test")
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("ILS Test", "alarmierung@ils-test.example"));
        message.To.Add(new MailboxAddress("", "alarm@ff-test.example"));
        message.Subject = subject;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("ils-test.example");
        message.Date = DateTimeOffset.UtcNow;
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    private async Task<ImapClient> ConnectAsync(string user, string password)
    {
        var client = new ImapClient();
        await client.ConnectAsync(Host, ImapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, password);
        return client;
    }
}
