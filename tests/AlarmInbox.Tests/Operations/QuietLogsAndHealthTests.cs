using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using AlarmInbox.Grains.Telemetry;
using AlarmInbox.Tests.Inbound;
using AlarmInbox.Tests.Infrastructure;
using AlarmInbox.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Tests.Operations;

/// <summary>What an operator sees from outside: the SMTP greeting, health without a key, refused requests at Debug and counted, histogram buckets in milliseconds.</summary>
public sealed class QuietLogsAndHealthTests
{
    [Fact]
    public async Task SmtpGreetingAndEhloNameTheHostAndTheProductOnly()
    {
        var port = FreePort.Next();
        await using var silo = await TestSilo.StartAsync(settings: new(SmtpSiloFixture.SmtpSettings(port)) { ["AlarmInbox:Smtp:ServerName"] = "mx.alarm.test" });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream);
        await using var writer = new StreamWriter(stream) { NewLine = "\r\n", AutoFlush = true };

        var greeting = await reader.ReadLineAsync();
        await writer.WriteLineAsync("EHLO client.example");
        var ehlo = await reader.ReadLineAsync();
        await writer.WriteLineAsync("QUIT");

        Assert.Equal("220 mx.alarm.test ESMTP AlarmInbox", greeting);
        Assert.Equal("250-mx.alarm.test Hello client.example", ehlo);
    }

    [Fact]
    public async Task HealthAnswersWithoutAKeyAndRefusedRequestsAreCountedAndLoggedAtDebugOnly()
    {
        await using var silo = await TestSilo.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using var api = new ApiFactory(
            silo.GatewayPort,
            new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "Debug" },
            services => services.AddSingleton<ILoggerProvider>(logs));
        using var anonymous = api.CreateClient(apiKey: null);
        using var wrongKey = api.CreateClient("not-a-key-of-this-installation-0123456789");
        using var operatorClient = api.CreateClient();

        var live = await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative));
        var ready = await anonymous.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var noKey = await anonymous.GetAsync(new Uri("/api/tenants", UriKind.Relative));
        var badKey = await wrongKey.GetAsync(new Uri("/api/tenants", UriKind.Relative));
        // The audit middleware counts and logs a refusal after the response has gone out, so the client can have the 401
        // before either happened: wait for both. (A series of another status, from another test, may be there earlier.)
        var metrics = await Eventually.WaitForAsync(
            () => operatorClient.GetStringAsync(new Uri("/metrics", UriKind.Relative)),
            m => RefusedWith401(m) >= 2,
            TimeSpan.FromSeconds(60),
            "the two refused requests to show in /metrics as 401");
        await Eventually.WaitForAsync(
            () => Task.FromResult(logs.Lines.Count(l => l.Contains("[6010] Refused GET", StringComparison.Ordinal) && l.Contains("-> 401", StringComparison.Ordinal))),
            n => n >= 2,
            TimeSpan.FromSeconds(60),
            "the two refused requests to be logged");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.StatusCode, await live.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, badKey.StatusCode);
        // The counter is read through a process-wide meter listener: other tests in this process add their own refusals,
        // so this test's two are a lower bound, not the exact value.
        Assert.True(RefusedWith401(metrics) >= 2, metrics);
        var lines = logs.Lines.ToList();
        var refusals = lines.Where(l => l.Contains("[6010] Refused GET", StringComparison.Ordinal) && l.Contains("-> 401", StringComparison.Ordinal)).ToList();
        Assert.True(refusals.Count == 2 && refusals.All(l => l.StartsWith("Debug AlarmInbox.Api.Audit.AuditMiddleware", StringComparison.Ordinal)), string.Join('\n', lines.Where(l => l.Contains("efused", StringComparison.Ordinal) || l.Contains("ApiKey", StringComparison.Ordinal))));
        Assert.DoesNotContain(lines, l => l.Contains("ApiKeyAuthenticationHandler", StringComparison.Ordinal) && !l.StartsWith("Debug", StringComparison.Ordinal) && !l.StartsWith("Trace", StringComparison.Ordinal));
    }

    [Fact]
    public void LatencyHistogramsRecordMillisecondsInBucketsThatFitTheMeasuredValues()
    {
        var services = new ServiceCollection().AddMetrics().AddSingleton(TimeProvider.System).AddSingleton<MailboxMetrics>().AddSingleton<AlarmMetrics>();
        using var provider = services.BuildServiceProvider();
        var found = new Dictionary<string, (string? Unit, IReadOnlyList<double>? Buckets)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument is Histogram<double> histogram && instrument.Meter.Name == MailboxMetrics.MeterName)
                {
                    found[instrument.Name] = (instrument.Unit, histogram.Advice?.HistogramBucketBoundaries);
                }
            },
        };
        listener.Start();
        _ = provider.GetRequiredService<MailboxMetrics>();
        _ = provider.GetRequiredService<AlarmMetrics>();

        // Measured (docs/benchmarks.md): a kept-session poll 1-5 ms, a login poll 20-500 ms; IDLE/SMTP alarms well under a second.
        Assert.Equal(("ms", 2.0, 60_000.0), (found["alarminbox.mailbox.poll.duration"].Unit, found["alarminbox.mailbox.poll.duration"].Buckets![0], found["alarminbox.mailbox.poll.duration"].Buckets![^1]));
        Assert.Equal(("ms", 50.0, 600_000.0), (found["alarminbox.alarm.mail_to_alarm.duration"].Unit, found["alarminbox.alarm.mail_to_alarm.duration"].Buckets![0], found["alarminbox.alarm.mail_to_alarm.duration"].Buckets![^1]));
        Assert.Equal(("ms", 5.0, 300_000.0), (found["alarminbox.webhook.delivery.duration"].Unit, found["alarminbox.webhook.delivery.duration"].Buckets![0], found["alarminbox.webhook.delivery.duration"].Buckets![^1]));
        Assert.Equal("ms", found["alarminbox.imap.login.wait"].Unit);
    }

    /// <summary>The refused-request count with status 401 in a Prometheus scrape (summed over its series), 0 when there is none.</summary>
    private static long RefusedWith401(string metrics) =>
        System.Text.RegularExpressions.Regex.Matches(metrics, @"^alarminbox_api_requests_refused_total\{[^}]*status=""401""[^}]*\} (\d+)", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
}
