using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A scripted stand-in for the Microsoft Graph mail endpoints an AlarmInbox Graph mailbox uses, on loopback HTTPS (Kestrel,
/// a self-signed certificate that the mailbox pins): folders, <c>messages/delta</c> with <c>@odata.nextLink</c> /
/// <c>@odata.deltaLink</c> pages and <c>@removed</c> entries, raw MIME (<c>$value</c>), and Graph's error bodies. It
/// validates the bearer tokens a <see cref="FakeEntra"/> signs (HS256, audience <c>https://graph.microsoft.com</c>); which
/// apps may read a mailbox stands for Exchange's role assignment. Faults (429 with Retry-After, 410, any error body) are
/// queued per mailbox. Only what a real Graph answers is scripted here; the client under test is the production one.
/// </summary>
public sealed class FakeGraph : IAsyncDisposable
{
    /// <summary>The audience Graph tokens carry.</summary>
    public const string Audience = "https://graph.microsoft.com";

    private readonly byte[] _signingKey;
    private readonly ConcurrentDictionary<string, Mailbox> _mailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<string> _requests = new();
    private WebApplication? _app;

    private FakeGraph(byte[] signingKey, X509Certificate2 certificate)
    {
        _signingKey = signingKey;
        Certificate = certificate;
        CertificateSha256 = Convert.ToHexString(SHA256.HashData(certificate.RawData));
    }

    /// <summary>The HTTPS port.</summary>
    public int Port { get; private set; }

    /// <summary>The server certificate (self-signed, for 127.0.0.1).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate's SHA-256 fingerprint, as a mailbox's <c>pinnedCertificateSha256</c>.</summary>
    public string CertificateSha256 { get; }

    /// <summary>Most entries per delta page (Graph may send fewer than <c>odata.maxpagesize</c>; a small page forces nextLinks).</summary>
    public int PageSize { get; set; } = 2;

    /// <summary>Every request so far, as <c>GET path?query</c>.</summary>
    public IReadOnlyList<string> Requests => _requests.ToList();

    /// <summary>Starts the server on a free loopback port.</summary>
    /// <param name="signingKey">The HS256 key of the <see cref="FakeEntra"/> whose tokens are accepted.</param>
    public static async Task<FakeGraph> StartAsync(byte[] signingKey)
    {
        var graph = new FakeGraph(signingKey, CreateCertificate());
        graph.Port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, graph.Port, l => l.UseHttps(graph.Certificate)));
        graph._app = builder.Build();
        graph._app.Run(graph.HandleAsync);
        await graph._app.StartAsync();
        return graph;
    }

    /// <summary>Adds a mailbox with an Inbox whose display name is German (as in a German tenant).</summary>
    /// <param name="address">Its primary SMTP address.</param>
    /// <param name="grantedClientIds">The apps an Exchange role assignment lets read it.</param>
    public Mailbox AddMailbox(string address, params string[] grantedClientIds)
    {
        var mailbox = new Mailbox(address, grantedClientIds);
        _mailboxes[address] = mailbox;
        _mailboxes[mailbox.ObjectId] = mailbox;
        return mailbox;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Certificate.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=fake-graph.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        _requests.Enqueue($"{context.Request.Method} {path}{context.Request.QueryString}");
        var segments = path.Trim('/').Split('/');
        if (segments.Length < 3 || segments[0] != "v1.0" || segments[1] != "users")
        {
            await ErrorAsync(context, 400, "BadRequest", $"Unsupported path {path}.");
            return;
        }

        if (Authenticate(context) is not { } appId)
        {
            await ErrorAsync(context, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
            return;
        }

        var user = Uri.UnescapeDataString(segments[2]);
        if (!_mailboxes.TryGetValue(user, out var mailbox))
        {
            await ErrorAsync(context, 404, "ErrorInvalidUser", $"The requested user '{user}' is invalid.");
            return;
        }

        mailbox.RequestStarted();
        try
        {
            if (mailbox.TakeFault() is { } fault)
            {
                if (fault.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                }

                await ErrorAsync(context, fault.Status, fault.Code, fault.Message);
                return;
            }

            if (!mailbox.RestEnabled)
            {
                await ErrorAsync(context, 404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");
                return;
            }

            if (!mailbox.GrantedApps.Contains(appId))
            {
                await ErrorAsync(context, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
                return;
            }

            await RouteAsync(context, mailbox, segments[3..]);
        }
        finally
        {
            mailbox.RequestEnded();
        }
    }

    private async Task RouteAsync(HttpContext context, Mailbox mailbox, string[] rest)
    {
        var query = context.Request.Query;
        switch (rest)
        {
            case ["messages", var id, "$value"]:
                if (mailbox.Find(Uri.UnescapeDataString(id)) is not { Deleted: false } message)
                {
                    await ErrorAsync(context, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
                    return;
                }

                mailbox.CountFetch(message.Id);
                if (mailbox.MimeDelay > TimeSpan.Zero)
                {
                    await Task.Delay(mailbox.MimeDelay);
                }

                context.Response.ContentType = "text/plain";
                if (mailbox.AnnounceMimeLength)
                {
                    context.Response.ContentLength = message.Mime.Length;
                }

                await context.Response.Body.WriteAsync(message.Mime);
                return;
            case ["mailFolders"]:
                await JsonAsync(context, FolderList(mailbox.Folders.Where(f => f.ParentId is null), query["$filter"]));
                return;
            case ["mailFolders", var folderId]:
                if (mailbox.Folder(Uri.UnescapeDataString(folderId)) is not { } folder)
                {
                    await ErrorAsync(context, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
                    return;
                }

                await JsonAsync(context, FolderJson(folder, mailbox));
                return;
            case ["mailFolders", var parentId, "childFolders"]:
                var parent = mailbox.Folder(Uri.UnescapeDataString(parentId));
                await JsonAsync(context, FolderList(mailbox.Folders.Where(f => parent is not null && f.ParentId == parent.Id), query["$filter"]));
                return;
            case ["mailFolders", var folderId, "messages"]:
                var top = int.Parse(query["$top"].ToString(), CultureInfo.InvariantCulture);
                var newest = mailbox.InFolder(mailbox.Folder(Uri.UnescapeDataString(folderId))?.Id).OrderByDescending(m => m.ReceivedAt).Take(top);
                await JsonAsync(context, new JsonObject { ["value"] = new JsonArray(newest.Select(m => (JsonNode)Entry(m)).ToArray()) });
                return;
            case ["mailFolders", var folderId, "messages", "delta"]:
                await DeltaAsync(context, mailbox, mailbox.Folder(Uri.UnescapeDataString(folderId)));
                return;
            default:
                await ErrorAsync(context, 400, "BadRequest", $"Unsupported request {context.Request.Path}.");
                return;
        }
    }

    private async Task DeltaAsync(HttpContext context, Mailbox mailbox, Folder? folder)
    {
        if (folder is null)
        {
            await ErrorAsync(context, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
            return;
        }

        var query = context.Request.Query;
        long from;
        long upTo;
        int offset;
        var token = query["$skiptoken"].ToString() is { Length: > 0 } skip ? skip : query["$deltatoken"].ToString();
        if (token.Length == 0)
        {
            if (query["changeType"] != "created")
            {
                await ErrorAsync(context, 400, "BadRequest", "This fake serves changeType=created only.");
                return;
            }

            (from, upTo, offset) = (0, mailbox.Sequence, 0);
        }
        else
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|');
            if (parts[0] != folder.Id || long.Parse(parts[1], CultureInfo.InvariantCulture) != mailbox.Generation)
            {
                await ErrorAsync(context, 410, "SyncStateNotFound", "The sync state generation is not found or has expired.");
                return;
            }

            from = long.Parse(parts[2], CultureInfo.InvariantCulture);
            upTo = parts.Length > 3 ? long.Parse(parts[3], CultureInfo.InvariantCulture) : mailbox.Sequence;
            offset = parts.Length > 4 ? int.Parse(parts[4], CultureInfo.InvariantCulture) : 0;
        }

        // Created since the token (in the first round: everything there now), then removals since the token.
        var entries = mailbox.InFolder(folder.Id).Where(m => m.Sequence > from && m.Sequence <= upTo).Select(Entry)
            .Concat(from == 0 ? [] : mailbox.Removed(folder.Id, from, upTo).Select(m => new JsonObject { ["id"] = m.Id, ["@removed"] = new JsonObject { ["reason"] = "deleted" } }))
            .ToList();
        var pageSize = Math.Min(PageSize, PreferredPageSize(context) ?? int.MaxValue);
        var page = entries.Skip(offset).Take(pageSize).ToList();
        var body = new JsonObject { ["value"] = new JsonArray(page.Select(e => (JsonNode)e).ToArray()) };
        var self = $"https://127.0.0.1:{Port}/v1.0/users/{Uri.EscapeDataString(mailbox.Address)}/mailFolders/{Uri.EscapeDataString(folder.Id)}/messages/delta";
        if (offset + page.Count < entries.Count)
        {
            body["@odata.nextLink"] = $"{self}?$skiptoken={Uri.EscapeDataString(Token(folder.Id, mailbox.Generation, from, upTo, offset + page.Count))}";
        }
        else
        {
            body["@odata.deltaLink"] = $"{self}?$deltatoken={Uri.EscapeDataString(Token(folder.Id, mailbox.Generation, upTo))}";
        }

        await JsonAsync(context, body);
    }

    private static string Token(string folderId, long generation, long sequence, long? upTo = null, int? offset = null) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('|', new[] { folderId, generation.ToString(CultureInfo.InvariantCulture), sequence.ToString(CultureInfo.InvariantCulture) }
            .Concat(upTo is null ? [] : [upTo.Value.ToString(CultureInfo.InvariantCulture), offset!.Value.ToString(CultureInfo.InvariantCulture)]))));

    private static int? PreferredPageSize(HttpContext context)
    {
        var prefer = context.Request.Headers["Prefer"].ToString();
        const string name = "odata.maxpagesize=";
        var at = prefer.IndexOf(name, StringComparison.Ordinal);
        return at < 0 ? null : int.Parse(prefer[(at + name.Length)..].Split(',')[0], CultureInfo.InvariantCulture);
    }

    private static JsonObject Entry(Message m) => new()
    {
        ["@odata.type"] = "#microsoft.graph.message",
        ["id"] = m.Id,
        ["receivedDateTime"] = m.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };

    private static JsonObject FolderJson(Folder f, Mailbox mailbox) => new()
    {
        ["id"] = f.Id,
        ["displayName"] = f.DisplayName,
        ["totalItemCount"] = mailbox.InFolder(f.Id).Count(),
    };

    private static JsonObject FolderList(IEnumerable<Folder> folders, string? filter)
    {
        // $filter=displayName eq 'Name' (quotes doubled), compared without case as Exchange does.
        var name = filter is { Length: > 0 } f && f.StartsWith("displayName eq '", StringComparison.Ordinal)
            ? f["displayName eq '".Length..^1].Replace("''", "'", StringComparison.Ordinal)
            : null;
        var selected = folders.Where(x => name is null || x.DisplayName.Equals(name, StringComparison.OrdinalIgnoreCase)).ToList();
        return new JsonObject { ["value"] = new JsonArray(selected.Select(x => (JsonNode)new JsonObject { ["id"] = x.Id, ["displayName"] = x.DisplayName, ["totalItemCount"] = 0 }).ToArray()) };
    }

    private string? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = header["Bearer ".Length..].Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        var expected = B64(HMACSHA256.HashData(_signingKey, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1])));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[2])))
        {
            return null;
        }

        using var claims = JsonDocument.Parse(FromB64(parts[1]));
        var root = claims.RootElement;
        return root.GetProperty("aud").GetString() == Audience && root.GetProperty("exp").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds()
            ? root.GetProperty("appid").GetString()
            : null;
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromB64(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }

    private static async Task JsonAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json; odata.metadata=minimal";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static async Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        await JsonAsync(context, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = code,
                ["message"] = message,
                ["innerError"] = new JsonObject { ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), ["request-id"] = Guid.NewGuid().ToString("D") },
            },
        });
    }

    /// <summary>A scripted error answer.</summary>
    /// <param name="Status">HTTP status.</param>
    /// <param name="Code">Graph's error code.</param>
    /// <param name="Message">Graph's error message.</param>
    /// <param name="RetryAfterSeconds">A Retry-After header, if any.</param>
    public sealed record Fault(int Status, string Code, string Message, int? RetryAfterSeconds = null);

    /// <summary>A mail folder.</summary>
    public sealed record Folder(string Id, string DisplayName, string? ParentId);

    /// <summary>A message in the mailbox.</summary>
    public sealed class Message(string id, string folderId, DateTimeOffset receivedAt, byte[] mime, long sequence)
    {
        /// <summary>Its Graph id.</summary>
        public string Id { get; } = id;

        /// <summary>Its folder.</summary>
        public string FolderId { get; } = folderId;

        /// <summary>Its receivedDateTime.</summary>
        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        /// <summary>Its raw MIME.</summary>
        public byte[] Mime { get; } = mime;

        /// <summary>When it arrived, in the mailbox's change sequence.</summary>
        public long Sequence { get; } = sequence;

        /// <summary>When it was deleted, in the change sequence.</summary>
        public long? DeletedSequence { get; set; }

        /// <summary>Whether it was deleted.</summary>
        public bool Deleted => DeletedSequence is not null;
    }

    /// <summary>One mailbox: folders, messages, the apps granted, faults to answer, and counters.</summary>
    public sealed class Mailbox(string address, IEnumerable<string> grantedApps)
    {
        private readonly Lock _lock = new();
        private readonly List<Message> _messages = [];
        private readonly Queue<Fault> _faults = new();
        private readonly ConcurrentDictionary<string, int> _fetches = new(StringComparer.Ordinal);
        private int _inFlight;
        private int _maxInFlight;

        /// <summary>Its primary SMTP address.</summary>
        public string Address { get; } = address;

        /// <summary>Its Entra object id.</summary>
        public string ObjectId { get; } = Guid.NewGuid().ToString("D");

        /// <summary>The apps that may read it (Exchange role assignment).</summary>
        public HashSet<string> GrantedApps { get; } = new(grantedApps, StringComparer.OrdinalIgnoreCase);

        /// <summary>Whether Graph can reach it (false: <c>MailboxNotEnabledForRESTAPI</c>).</summary>
        public bool RestEnabled { get; set; } = true;

        /// <summary>A pause before each raw MIME answer, to make concurrency observable.</summary>
        public TimeSpan MimeDelay { get; set; }

        /// <summary>Whether raw MIME is sent with a <c>Content-Length</c> header (as Graph does) instead of chunked.</summary>
        public bool AnnounceMimeLength { get; set; }

        /// <summary>The folders; the Inbox's display name is localised, its well-known name is <c>inbox</c>.</summary>
        public List<Folder> Folders { get; } = [new("AAMkInbox" + Guid.NewGuid().ToString("N")[..8], "Posteingang", null)];

        /// <summary>Delta tokens of an older generation get 410 Gone.</summary>
        public long Generation { get; private set; } = 1;

        /// <summary>The change sequence (arrivals and deletions).</summary>
        public long Sequence { get; private set; }

        /// <summary>Most requests that were in flight at once.</summary>
        public int MaxConcurrentRequests => Volatile.Read(ref _maxInFlight);

        /// <summary>The Inbox.</summary>
        public Folder Inbox => Folders[0];

        /// <summary>Adds a folder below <paramref name="parent"/> (or at the top level).</summary>
        public Folder AddFolder(string displayName, Folder? parent)
        {
            var folder = new Folder("AAMk" + Guid.NewGuid().ToString("N")[..12], displayName, parent?.Id);
            lock (_lock)
            {
                Folders.Add(folder);
            }

            return folder;
        }

        /// <summary>Deletes a folder (requests for its id then get 404 <c>ErrorItemNotFound</c>).</summary>
        public void RemoveFolder(Folder folder)
        {
            lock (_lock)
            {
                Folders.Remove(folder);
            }
        }

        /// <summary>Delivers a message into <paramref name="folder"/> (the Inbox by default).</summary>
        public Message Deliver(byte[] mime, Folder? folder = null, DateTimeOffset? receivedAt = null)
        {
            lock (_lock)
            {
                var message = new Message("AAMkAGI2" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('/', '-').Replace('+', '_') + "=", (folder ?? Inbox).Id, receivedAt ?? DateTimeOffset.UtcNow, mime, ++Sequence);
                _messages.Add(message);
                return message;
            }
        }

        /// <summary>Deletes a message (it shows up as <c>@removed</c> in the next delta round).</summary>
        public void Delete(Message message)
        {
            lock (_lock)
            {
                message.DeletedSequence = ++Sequence;
            }
        }

        /// <summary>Makes every delta and page link issued so far expire (410 Gone).</summary>
        public void ExpireDeltaLinks()
        {
            lock (_lock)
            {
                Generation++;
            }
        }

        /// <summary>Queues an error answer for the next request(s) to this mailbox.</summary>
        public void FailNext(Fault fault, int times = 1)
        {
            lock (_lock)
            {
                for (var i = 0; i < times; i++)
                {
                    _faults.Enqueue(fault);
                }
            }
        }

        /// <summary>How often the raw MIME of <paramref name="message"/> was read.</summary>
        public int Fetches(Message message) => _fetches.GetValueOrDefault(message.Id);

        /// <summary>How many raw MIME reads there were in all.</summary>
        public int TotalFetches => _fetches.Values.Sum();

        internal Fault? TakeFault()
        {
            lock (_lock)
            {
                return _faults.TryDequeue(out var fault) ? fault : null;
            }
        }

        internal void CountFetch(string id) => _fetches.AddOrUpdate(id, 1, (_, n) => n + 1);

        internal void RequestStarted()
        {
            var now = Interlocked.Increment(ref _inFlight);
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }
        }

        internal void RequestEnded() => Interlocked.Decrement(ref _inFlight);

        internal Folder? Folder(string idOrWellKnown)
        {
            lock (_lock)
            {
                return idOrWellKnown.Equals("inbox", StringComparison.OrdinalIgnoreCase) ? Inbox : Folders.Find(f => f.Id == idOrWellKnown);
            }
        }

        internal Message? Find(string id)
        {
            lock (_lock)
            {
                return _messages.Find(m => m.Id == id);
            }
        }

        internal List<Message> InFolder(string? folderId)
        {
            lock (_lock)
            {
                return _messages.Where(m => m.FolderId == folderId && !m.Deleted).OrderBy(m => m.Sequence).ToList();
            }
        }

        internal List<Message> Removed(string folderId, long after, long upTo)
        {
            lock (_lock)
            {
                return _messages.Where(m => m.FolderId == folderId && m.DeletedSequence > after && m.DeletedSequence <= upTo && m.Sequence <= after).ToList();
            }
        }
    }
}
