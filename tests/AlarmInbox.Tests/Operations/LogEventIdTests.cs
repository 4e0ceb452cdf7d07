using System.Reflection;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Tests.Operations;

/// <summary>
/// Every <c>[LoggerMessage]</c> event id of the product is unique and lies in its feature's range, so that an alert or
/// a log query on an id means one thing. The ranges are documented in docs/operations.md ("Log event ids"); a new feature
/// gets a range there and here.
/// </summary>
public sealed class LogEventIdTests
{
    /// <summary>The ranges: first id, last id, the feature, and the namespaces (with the ones below them) whose log methods may use it.</summary>
    private static readonly (int First, int Last, string Feature, string[] Namespaces)[] Ranges =
    [
        (1000, 1099, "mailboxes (grain, sync, credentials)", ["AlarmInbox.Grains.Mailboxes"]),
        (1100, 1199, "tenants", ["AlarmInbox.Grains.Tenants"]),
        (1200, 1299, "Office 365 sign-in (MSAL tokens, XOAUTH2 sessions, their connection-test steps)", ["AlarmInbox.Grains.Auth", "AlarmInbox.Grains.Diagnostics"]),
        (1300, 1399, "IDLE sessions of the silo", ["AlarmInbox.Grains.Mailboxes"]),
        (2000, 2099, "alarms", ["AlarmInbox.Grains.Alarms"]),
        (2100, 2199, "webhooks", ["AlarmInbox.Grains.Webhooks"]),
        (2200, 2299, "ingestion and alarm evaluation", ["AlarmInbox.Grains.Ingestion", "AlarmInbox.Grains.Alarms"]),
        (2300, 2399, "IMAP adapter (MailKit)", ["AlarmInbox.Grains.Imap"]),
        (3000, 3099, "mailbox resume and fail-over (silo)", ["AlarmInbox.Silo.Mailboxes"]),
        (3100, 3199, "alarm delivery resume (silo)", ["AlarmInbox.Silo.Alarms"]),
        (3200, 3299, "history as records (record stores, migration into them, retention)",
            ["AlarmInbox.Grains.Alarms", "AlarmInbox.Grains.Webhooks", "AlarmInbox.Grains.Inbound", "AlarmInbox.Grains.Security", "AlarmInbox.Grains.Mailboxes", "AlarmInbox.Silo.Storage", "AlarmInbox.Api.Audit"]),
        (4000, 4099, "connection test", ["AlarmInbox.Grains.Diagnostics"]),
        (4100, 4199, "silo health (storage failures, spool disk, SMTP session limits, start-up work, fatal errors)", ["AlarmInbox.Silo.Hosting", "AlarmInbox.Silo.Smtp"]),
        (4300, 4399, "SMTP spool in the cluster database; hand-off retries and parked mails of both spools (4390–4399)", ["AlarmInbox.Silo.Smtp"]),
        (6000, 6099, "operations (key ring, TLS certificates, refused requests)", ["AlarmInbox.Silo.Operations", "AlarmInbox.Api.Tls", "AlarmInbox.Api.Audit"]),
        (7000, 7099, "API audit", ["AlarmInbox.Api.Audit"]),
        (7100, 7199, "Microsoft Graph", ["AlarmInbox.Grains.Graph"]),
        (8000, 8099, "inbound addresses", ["AlarmInbox.Grains.Inbound"]),
        (8100, 8399, "SMTP inbound (listener, spool, message store)", ["AlarmInbox.Silo.Smtp"]),
        (8400, 8499, "console (live alarm feed)", ["AlarmInbox.Api.Console"]),
    ];

    [Fact]
    public void EveryLogEventIdIsUniqueAndInsideItsFeaturesRange()
    {
        var events = ProductLogEvents();
        var duplicates = events.GroupBy(e => e.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}")
            .ToList();
        var outside = events
            .Where(e => !Ranges.Any(r => e.Id >= r.First && e.Id <= r.Last && r.Namespaces.Any(n => e.Namespace == n || e.Namespace.StartsWith(n + ".", StringComparison.Ordinal))))
            .Select(e => $"{e.Id} {e.Method} (namespace {e.Namespace}): " + (Ranges.FirstOrDefault(r => e.Id >= r.First && e.Id <= r.Last) is { Feature: { } feature }
                ? $"the range belongs to {feature}"
                : "no range documented"))
            .ToList();

        Assert.True(events.Count > 50, $"only {events.Count} log methods found: the reflection misses some");
        Assert.True(duplicates.Count == 0, "Event ids used twice: " + string.Join("; ", duplicates));
        Assert.True(
            outside.Count == 0,
            "Event ids outside their feature's range (docs/operations.md, \"Log event ids\", and the table in this test): " + string.Join("; ", outside));
    }

    [Fact]
    public void TheRangesDoNotOverlap()
    {
        var ordered = Ranges.OrderBy(r => r.First).ToList();

        Assert.All(ordered, r => Assert.True(r.First <= r.Last, r.Feature));
        Assert.All(ordered.Zip(ordered.Skip(1)), pair => Assert.True(pair.First.Last < pair.Second.First, $"{pair.First.Feature} overlaps {pair.Second.Feature}"));
    }

    private static List<(int Id, string Method, string Namespace)> ProductLogEvents()
    {
        Assembly[] assemblies = [typeof(global::AlarmInbox.Grains.Mailboxes.MailboxGrain).Assembly, typeof(global::AlarmInbox.Silo.Smtp.SmtpListener).Assembly, typeof(global::AlarmInbox.Api.Mailboxes.MailboxRequest).Assembly];
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        return assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(all).Select(m => (Type: t, Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>())))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Attribute!.EventId, $"{x.Type.Name}.{x.Method.Name}", Namespace: x.Type.Namespace ?? ""))
            .ToList();
    }
}
