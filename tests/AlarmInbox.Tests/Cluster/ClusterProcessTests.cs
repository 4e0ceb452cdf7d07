using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Hostile;
using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MailboxAddress = MimeKit.MailboxAddress;
using Npgsql;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Cluster;

/// <summary>
/// Two real silo processes on a real PostgreSQL (one throwaway database per test), the API in this process as a client
/// that finds them through the membership table, and a real Dovecot. Silos are crashed with <c>kill -9</c>, frozen
/// with <c>SIGSTOP</c> and stopped with <c>SIGTERM</c>; no test looks at a mailbox through a grain call while it
/// measures fail-over, because a call would itself re-activate the mailbox: progress is read from the database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterProcessTests(PostgresServer postgres, DovecotServer imap, ITestOutputHelper output) : IAsyncLifetime
{
    // Test settings: the watchdog reminder every 20 s instead of 1 minute, so a missed fast path would still finish.
    private static readonly Dictionary<string, string> SiloSettings = new()
    {
        ["AlarmInbox:Polling:WatchdogPeriod"] = "00:00:20",
        ["AlarmInbox:Reminders:MinimumReminderPeriod"] = "00:00:10",
    };

    private readonly string _directory = Path.Combine("/tmp", "ai-cluster-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<SiloProcess> _silos = [];
    private string _db = "";
    private ApiFactory? _api;
    private HttpClient _http = null!;

    public async Task InitializeAsync() => _db = await postgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        TempFolder.DeleteQuietly(_directory);
    }

    [Fact]
    public async Task TenantsMailboxesAndWatermarksSurviveARestartOfEverything()
    {
        await StartSilosAsync(2);
        StartApi();
        var user = await imap.CreateUserAsync();
        var mailboxId = await CreateMailboxAsync("ff-restart", user);
        var before = await imap.AppendAsync(user, [DovecotServer.Mail("vor dem Neustart")]);
        var poll = await _http.PostAsync(new Uri($"/api/tenants/ff-restart/mailboxes/{mailboxId}/poll", UriKind.Relative), null);
        Assert.Equal(1, (await poll.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("newMessages").GetInt32());

        await _api!.DisposeAsync();
        _api = null;
        foreach (var silo in _silos)
        {
            Assert.Equal(0, await silo.StopAsync(TimeSpan.FromSeconds(60)));
        }

        _silos.Clear();
        await StartSilosAsync(2);
        StartApi();
        var after = await imap.AppendAsync(user, [DovecotServer.Mail("nach dem Neustart")]);

        // Nobody calls the mailbox: the silos' start-up task re-activates it and its timer polls.
        await WaitForWatermarkAsync(mailboxId, after[0], TimeSpan.FromSeconds(60));
        var mailbox = await _http.GetFromJsonAsync<JsonElement>($"/api/tenants/ff-restart/mailboxes/{mailboxId}");
        var messages = await _http.GetFromJsonAsync<JsonElement>($"/api/tenants/ff-restart/mailboxes/{mailboxId}/messages?limit=50");
        var tenant = await _http.GetFromJsonAsync<JsonElement>("/api/tenants/ff-restart");

        Assert.Equal([after[0], before[0]], messages.EnumerateArray().Select(m => m.GetProperty("uid").GetUInt32()));
        Assert.Equal(after[0], mailbox.GetProperty("status").GetProperty("watermark").GetProperty("lastUid").GetUInt32());
        Assert.Equal(2, mailbox.GetProperty("status").GetProperty("messagesFetched").GetInt64());
        Assert.True(mailbox.GetProperty("hasPassword").GetBoolean());
        Assert.Equal([mailboxId], tenant.GetProperty("mailboxIds").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public Task KillNineOfASiloWhileMailsArriveLosesNoMailAndFetchesNoneTwice() =>
        FailOverAsync("kill -9", silo => silo.KillAsync());

    [Fact]
    public Task FrozenSiloWhileMailsArriveLosesNoMailAndFetchesNoneTwice() =>
        FailOverAsync("SIGSTOP", silo =>
        {
            silo.Freeze();
            return Task.CompletedTask;
        });

    [Fact]
    public Task GracefulStopOfASiloWhileMailsArriveLosesNoMailAndFetchesNoneTwice() =>
        FailOverAsync("SIGTERM", async silo => Assert.Equal(0, await silo.StopAsync(TimeSpan.FromSeconds(60))));

    [Fact]
    public async Task KillNineOfTheAcceptingSiloRightAfterThe250sLosesNoSmtpMailAndTheOtherSiloAlarmsEachOnce()
    {
        const int Mails = 100;
        var smtpPorts = await StartSmtpSilosAsync();
        StartApi();
        var client = _api!.Services.GetRequiredService<IClusterClient>();
        var (tenantId, addressId, address) = await CreateSmtpTenantAsync(client);
        var victim = _silos[0];

        // One mail first, handed off by the accepting silo itself as usual (and the grains of the tenant activated).
        using (var first = new SmtpClient { LocalDomain = "sender.test" })
        {
            await first.ConnectAsync("127.0.0.1", smtpPorts[0], SecureSocketOptions.None);
            await first.SendAsync(SmtpTestSilo.Mail("B3 Brand vorab", "2026-899999"), MailboxAddress.Parse(SmtpTestSilo.Leitstelle), [MailboxAddress.Parse(address)]);
            await first.DisconnectAsync(quit: true);
        }

        await Eventually.WaitForAsync(() => PostgresCommands.ListAsync(_db, "SELECT spool_id FROM ai_smtp_spool"), r => r.Count == 0, TimeSpan.FromSeconds(60), "the first mail handed off");

        // 100 alarm mails (one incident each) sent at once to the first silo; it is killed as soon as the last 250 came.
        var accepted = Stopwatch.StartNew();
        var replies = await Task.WhenAll(Enumerable.Range(0, Mails).Select(async i =>
        {
            using var smtp = new SmtpClient { LocalDomain = "sender.test" };
            await smtp.ConnectAsync("127.0.0.1", smtpPorts[0], SecureSocketOptions.None);
            var started = Stopwatch.GetTimestamp();
            var reply = await smtp.SendAsync(
                SmtpTestSilo.Mail($"B3 Brand {i:000}", $"2026-8{i:00000}"), MailboxAddress.Parse(SmtpTestSilo.Leitstelle), [MailboxAddress.Parse(address)]);
            var latency = Stopwatch.GetElapsedTime(started);
            await smtp.DisconnectAsync(quit: true);
            return (Reply: reply, Latency: latency);
        }));
        var acceptTime = accepted.Elapsed;
        await victim.KillAsync();
        var killed = Stopwatch.StartNew();
        var waiting = await PostgresCommands.ListAsync(_db, "SELECT spool_id FROM ai_smtp_spool");

        // Progress is read from the database: a grain call to the killed silo would fail until it is declared dead. A
        // row is deleted only after its mail is stored and evaluated.
        await Eventually.WaitForAsync(() => PostgresCommands.ListAsync(_db, "SELECT spool_id FROM ai_smtp_spool"), r => r.Count == 0, TimeSpan.FromSeconds(120), "the spool table emptied");
        var deliveredAfter = killed.Elapsed;
        var delivered = await RetryAsync(() => client.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { MailboxId = addressId, Limit = 500 }));
        var latencies = replies.Select(r => r.Latency.TotalMilliseconds).Order().ToList();
        output.WriteLine(
            $"{Mails} mails sent at once to one silo on PostgreSQL: all 250 after {acceptTime.TotalSeconds:0.00} s (DATA to 250: median {latencies[Mails / 2]:0} ms, max {latencies[^1]:0} ms); " +
            $"{waiting.Count} still in the spool when that silo was killed; every alarm there {deliveredAfter.TotalSeconds:0.0} s after the kill");

        Assert.All(replies, r => Assert.StartsWith("Queued as smtp-", r.Reply, StringComparison.Ordinal));
        Assert.True(waiting.Count > 0, "the victim should have died with mails still waiting for their hand-off");
        Assert.True(victim.HasExited);
        Assert.Equal(Enumerable.Range(0, Mails).Select(i => $"2026-8{i:00000}").Append("2026-899999"), delivered.Select(r => r.IncidentNumber!).Order(StringComparer.Ordinal));
        Assert.All(delivered, r => Assert.Equal(1, r.Revision));
        var messages = await RetryAsync(() => client.GetGrain<IInboundAddressGrain>(addressId).GetMessagesAsync(500));
        Assert.Equal(Enumerable.Range(1, Mails + 1).Select(i => (uint)i), messages.Select(m => m.Uid).Order());
        Assert.Equal(Mails + 1, (await RetryAsync(() => client.GetGrain<IInboundAddressGrain>(addressId).GetAsync()))!.AcceptedCount);
        Assert.Contains("SMTP cluster spool: claimed", File.ReadAllText(_silos[1].LogPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillNineOfTheSiloHoldingAWebhookRetryHasTheSurvivorDeliverItRightAfterTheDeath()
    {
        var smtpPorts = await StartSmtpSilosAsync();
        StartApi();
        var client = _api!.Services.GetRequiredService<IClusterClient>();
        var (tenantId, _, address) = await CreateSmtpTenantAsync(client);
        await using var receiver = new WebhookReceiver(failFirst: 1);
        Assert.True((await client.GetGrain<IWebhookOutboxGrain>(tenantId).CreateWebhookAsync(
            new WebhookSettings { Name = "Pager", Url = receiver.Url, Secret = receiver.Secret })).Succeeded);
        var outbox = await client.GetGrain<IManagementGrain>(0).GetActivationAddress(client.GetGrain<IWebhookOutboxGrain>(tenantId));
        var victim = _silos.Single(s => s.SiloPort == outbox!.Endpoint.Port);
        var survivor = _silos.Single(s => s != victim);

        // The alarm comes in through the survivor; the victim's outbox sends it, the receiver answers 500 once, and the
        // victim dies while the retry waits (due seconds later): the survivor must send it soon after the death is
        // detected, not when the outbox's watchdog reminder comes round (a minute).
        using (var smtp = new SmtpClient { LocalDomain = "sender.test" })
        {
            await smtp.ConnectAsync("127.0.0.1", smtpPorts[_silos.IndexOf(survivor)], SecureSocketOptions.None);
            await smtp.SendAsync(SmtpTestSilo.Mail("B3 Brand Retry", "2026-700001"), MailboxAddress.Parse(SmtpTestSilo.Leitstelle), [MailboxAddress.Parse(address)]);
            await smtp.DisconnectAsync(quit: true);
        }

        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Requests.Count), c => c >= 1, TimeSpan.FromSeconds(60), "the first attempt (answered 500)");
        await victim.KillAsync();
        var killed = Stopwatch.StartNew();
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted.Count), c => c >= 1, TimeSpan.FromSeconds(120), "the retry delivered by the survivor");
        var deliveredAfter = killed.Elapsed;
        output.WriteLine($"retry delivered {deliveredAfter.TotalSeconds:0.0} s after kill -9 of the outbox's silo");

        Assert.Equal([500, 200], receiver.Requests.Select(r => r.Answered));
        Assert.Single(receiver.Requests.Select(r => r.IdempotencyKey).Distinct());
        Assert.True(deliveredAfter < TimeSpan.FromSeconds(30), $"retry delivered {deliveredAfter.TotalSeconds:0.0} s after the kill");
    }

    private async Task<List<int>> StartSmtpSilosAsync()
    {
        var smtpPorts = new List<int>();
        for (var i = 1; i <= 2; i++)
        {
            smtpPorts.Add(FreePort.Next());
            var settings = new Dictionary<string, string>(SiloSettings)
            {
                ["AlarmInbox:Smtp:Enabled"] = "true",
                ["AlarmInbox:Smtp:Port"] = smtpPorts[^1].ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["AlarmInbox:Smtp:BindAddress"] = "127.0.0.1",
                ["AlarmInbox:Smtp:Domain"] = "alarm.test",
                ["AlarmInbox:Smtp:MaxSessionsPerClient"] = "150",
            };
            _silos.Add(SiloProcess.Start($"silo{i}", _db, _directory, settings));
        }

        await Task.WhenAll(_silos.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(120))));
        return smtpPorts;
    }

    private static async Task<(string TenantId, string AddressId, string Address)> CreateSmtpTenantAsync(IClusterClient client)
    {
        var tenantId = "ff-smtp-" + Guid.NewGuid().ToString("N")[..8];
        await client.GetGrain<ITenantGrain>(tenantId).CreateAsync("Feuerwehr SMTP");
        await client.GetGrain<ITenantAlarmsGrain>(tenantId).SetSettingsAsync(AlarmEvaluatorTests.CorpusSettings);
        var addressId = "inb-" + Guid.NewGuid().ToString("N")[..12];
        var address = (await client.GetGrain<IInboundAddressGrain>(addressId).CreateAsync(tenantId, null)).Value!.Address;
        return (tenantId, addressId, address);
    }

    private async Task FailOverAsync(string how, Func<SiloProcess, Task> fail)
    {
        const int Mailboxes = 6;
        await StartSilosAsync(2);
        StartApi();
        var users = new List<string>();
        var ids = new List<string>();
        for (var i = 0; i < Mailboxes; i++)
        {
            users.Add(await imap.CreateUserAsync());
            ids.Add(await CreateMailboxAsync(i == 0 ? "ff-failover" : null, users[i]));
        }

        // Where each mailbox lives, by silo port; the victim is the silo with the most mailboxes.
        var management = _api!.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        var hosts = new List<int>();
        foreach (var id in ids)
        {
            var address = await management.GetActivationAddress(_api.Services.GetRequiredService<IClusterClient>().GetGrain<IMailboxGrain>(id));
            hosts.Add(address!.Endpoint.Port);
        }

        var victimPort = hosts.GroupBy(p => p).OrderByDescending(g => g.Count()).First().Key;
        var victim = _silos.Single(s => s.SiloPort == victimPort);
        var survivor = _silos.Single(s => s != victim);
        var onVictim = ids.Where((_, i) => hosts[i] == victimPort).ToList();
        output.WriteLine($"{onVictim.Count} of {Mailboxes} mailboxes on the victim {victim.Name}");

        // Mails keep arriving before, during and after the failure: 2 per mailbox per second of the test.
        var appended = users.ToDictionary(u => u, _ => new List<uint>());
        using var stopFeeding = new CancellationTokenSource();
        var feeder = Task.Run(async () =>
        {
            for (var round = 0; !stopFeeding.IsCancellationRequested && round < 200; round++)
            {
                foreach (var user in users)
                {
                    var uids = await imap.AppendAsync(user, [DovecotServer.Mail($"Alarm {round}")]);
                    lock (appended)
                    {
                        appended[user].AddRange(uids);
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        });
        await WaitForWatermarkAsync(ids[0], 1, TimeSpan.FromSeconds(30));

        var failedAt = Stopwatch.StartNew();
        await fail(victim);
        var markers = new List<uint>();
        for (var i = 0; i < Mailboxes; i++)
        {
            markers.Add((await imap.AppendAsync(users[i], [DovecotServer.Mail("Marker")]))[0]);
        }

        // Time to resume polling: until every mailbox of the victim has fetched the mail sent right after the failure.
        var resumed = new Dictionary<string, TimeSpan>();
        try
        {
            await WaitForResumeAsync();
        }
        catch (TimeoutException)
        {
            // What the survivor's membership saw (suspicions, death declaration) says why, and its log is gone after the test.
            output.WriteLine($"{survivor.Name} warnings and errors:\n{survivor.LogProblems()}\n{survivor.Name} membership:\n{survivor.LogEntries("MembershipService", 40)}");
            throw;
        }

        Task<int> WaitForResumeAsync() => Eventually.WaitForAsync(
            async () =>
            {
                for (var i = 0; i < Mailboxes; i++)
                {
                    if (!resumed.ContainsKey(ids[i]) && (await ReadWatermarkAsync(ids[i])).LastUid >= markers[i])
                    {
                        resumed[ids[i]] = failedAt.Elapsed;
                    }
                }

                return resumed.Count;
            },
            count => count == Mailboxes,
            TimeSpan.FromSeconds(150),
            $"every mailbox to poll again after {how}");
        var resumeTime = onVictim.Max(id => resumed[id]);
        output.WriteLine($"{how}: mailboxes of the failed silo polled again after {resumeTime.TotalSeconds:0.0} s (each: {string.Join(", ", onVictim.Select(id => resumed[id].TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} s)");

        stopFeeding.Cancel();
        await feeder;
        var last = users.Select(u => appended[u].Max()).ToList();
        for (var i = 0; i < Mailboxes; i++)
        {
            await WaitForWatermarkAsync(ids[i], last[i], TimeSpan.FromSeconds(60));
        }

        if (how == "SIGSTOP")
        {
            // The frozen silo learns that it was declared dead and ends itself; it must not write anything on the way.
            victim.Thaw();
            await Eventually.WaitForAsync(() => Task.FromResult(victim.HasExited), e => e, TimeSpan.FromSeconds(60), "the thawed silo to stop itself");
        }

        for (var i = 0; i < Mailboxes; i++)
        {
            var messages = await _http.GetFromJsonAsync<JsonElement>($"/api/tenants/ff-failover/mailboxes/{ids[i]}/messages?limit=500");
            var uids = messages.EnumerateArray().Select(m => m.GetProperty("uid").GetUInt32()).Order().ToList();
            var expected = appended[users[i]].Append(markers[i]).Order().ToList();
            Assert.Equal(expected, uids);
        }

        Assert.True(await survivor.IsReadyAsync(), survivor.LogTail());
        var metrics = await survivor.GetAsync("/metrics");
        Assert.Contains("alarminbox_mailbox_polls_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("alarminbox_mailboxes{", metrics, StringComparison.Ordinal);
        Assert.True(resumeTime < TimeSpan.FromSeconds(how == "SIGSTOP" ? 60 : 45), $"{how}: resumed after {resumeTime.TotalSeconds:0.0} s");
    }

    /// <summary>A grain call made while the cluster may still route it to the killed silo: tried again until it answers.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    private async Task StartSilosAsync(int count)
    {
        var started = Enumerable.Range(_silos.Count + 1, count).Select(i => SiloProcess.Start($"silo{i}", _db, _directory, SiloSettings)).ToList();
        _silos.AddRange(started);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(started.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(120))));
        output.WriteLine($"{count} silos ready after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private void StartApi()
    {
        _api = ApiFactory.ForCluster(_db);
        _http = _api.CreateClient();
    }

    private async Task<string> CreateMailboxAsync(string? newTenant, string user)
    {
        var tenantId = "ff-" + (newTenant is null ? "failover" : newTenant[3..]);
        if (newTenant is not null)
        {
            var tenant = await _http.PostAsJsonAsync("/api/tenants", new { id = newTenant, name = "Feuerwehr " + newTenant });
            Assert.True(tenant.IsSuccessStatusCode, await tenant.Content.ReadAsStringAsync());
        }

        var response = await _http.PostAsJsonAsync($"/api/tenants/{tenantId}/mailboxes", new
        {
            displayName = "Alarm",
            host = imap.Host,
            port = imap.ImapPort,
            security = "None",
            username = user,
            password = "geheim",
            pollIntervalSeconds = 10,

            // Fail-over is measured on polled mailboxes (the timer is what the surviving silo restarts); IDLE has its own tests.
            useIdle = false,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private Task WaitForWatermarkAsync(string mailboxId, uint lastUid, TimeSpan timeout) =>
        Eventually.WaitForAsync(() => ReadWatermarkAsync(mailboxId), w => w.LastUid >= lastUid, timeout, $"mailbox {mailboxId} to reach UID {lastUid}");

    /// <summary>Reads the stored watermark straight from the grain storage table, without activating the mailbox.</summary>
    private async Task<UidWatermark> ReadWatermarkAsync(string mailboxId)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT convert_from(payloadbinary, 'UTF8') FROM orleansstorage WHERE graintypestring = 'mailbox' AND grainidextensionstring = @id", connection);
        command.Parameters.AddWithValue("id", mailboxId);
        if (await command.ExecuteScalarAsync() is not string json)
        {
            return UidWatermark.None;
        }

        using var document = JsonDocument.Parse(json);
        var watermark = document.RootElement.EnumerateObject().First(p => p.NameEquals("Watermark") || p.NameEquals("watermark")).Value;
        uint Read(string name) => watermark.EnumerateObject().First(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value.GetUInt32();
        return new UidWatermark(Read("UidValidity"), Read("LastUid"));
    }
}
