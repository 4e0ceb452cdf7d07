using System.Diagnostics;
using System.Diagnostics.Metrics;
using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MimeKit;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Hostile;

/// <summary>
/// Issue 16, finding 3: a full disk under the SMTP spool. The spool lives on a 2 MiB tmpfs of its own (mounted by the
/// test, which needs root like <c>test.sh</c>); the disk is filled with a file and freed again by deleting it.
/// </summary>
public sealed class SpoolStorageFailureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "ai-spool-tmpfs-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_mount);
        Assert.True(await RunAsync("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", _mount) == 0, "mounting a tmpfs needs root (test.sh runs as root)");
    }

    public async Task DisposeAsync()
    {
        await RunAsync("umount", "-l", _mount);
        Directory.Delete(_mount, recursive: true);
    }

    [Fact]
    public async Task AFullSpoolDiskAnswers451NeverA5xxShowsStorageUnavailableAndRecoversWhenSpaceReturns()
    {
        var spool = Path.Combine(_mount, "spool");
        await using var smtp = await SmtpTestSilo.StartAsync(new()
        {
            ["AlarmInbox:Smtp:SpoolDirectory"] = spool,
            ["AlarmInbox:Smtp:StorageProbeInterval"] = SmtpTestSilo.Seconds(0.5),
        });
        var (tenantId, addressId, address) = await smtp.CreateAddressAsync();
        var filler = Path.Combine(_mount, "filler");

        // Fill the disk until nothing more fits, then send 20 alarm mails of 300 KB each.
        await FillAsync(filler);
        var replies = new List<SmtpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => smtp.SendAsync(SmtpTestSilo.Mail($"B3 Brand {i}", $"2026-0002{i:00}", new string('x', 300_000)), address));
            replies.Add(refused.StatusCode);
        }

        Assert.All(replies, code => Assert.Equal(SmtpStatusCode.ErrorInProcessing, code)); // 451, transient: the sender keeps the mail
        var health = await smtp.GetTextAsync("/health/ready");
        Assert.Equal(503, health.Status);
        Assert.Contains("storage_unavailable: smtp-spool", health.Text, StringComparison.Ordinal);
        Assert.Equal(["smtp-spool"], ObserveUnavailableGauge());
        Assert.Empty(Directory.EnumerateFiles(spool, "*.msg"));

        // Space returns: the probe clears the problem by itself, and the next mail is accepted and delivered.
        File.Delete(filler);
        var clock = Stopwatch.StartNew();
        await Eventually.WaitForAsync(() => smtp.GetTextAsync("/health/ready"), r => r.Status == 200, Wait, "ready again after the disk was freed");
        output.WriteLine($"20 mails on a full spool disk: 20 x 451, 0 x 5xx; ready again {clock.Elapsed.TotalSeconds:0.0} s after space returned");
        Assert.Empty(ObserveUnavailableGauge());
        Assert.StartsWith("Queued as smtp-", await smtp.SendAsync(SmtpTestSilo.Mail("B3 Brand nachher", "2026-000299", new string('x', 300_000)), address), StringComparison.Ordinal);
        var messages = await Eventually.WaitForAsync(
            () => smtp.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}/messages"),
            r => r.Body!.AsArray().Count == 1, Wait, "the mail sent after recovery stored");
        Assert.Equal("B3 Brand nachher", (string?)messages.Body![0]!["subject"]);
        var status = await smtp.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}");
        Assert.Equal(20, (long)status.Body!["rejectedCount"]!);
    }

    /// <summary>The components the gauge <c>alarminbox.storage.unavailable</c> reports in this process now.</summary>
    private static List<string> ObserveUnavailableGauge()
    {
        var components = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "alarminbox.storage.unavailable")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "component" && value == 1 && tag.Value is string component)
                {
                    components.Add(component);
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return components;
    }

    private static async Task FillAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                await file.WriteAsync(chunk);
                await file.FlushAsync();
            }
        }
        catch (IOException)
        {
            // The disk is full.
        }
    }

    private static async Task<int> RunAsync(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
