using System.Diagnostics;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Hostile;

/// <summary>Issue 16, finding 5: one tenant's slow rules must not delay another tenant's SMTP alarm.</summary>
public sealed class FairHandOffTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ASecondTenantsAlarmIsNotQueuedBehindATenantWhoseRulesTakeSecondsPerMail()
    {
        // Four catastrophically backtracking rules that each run into the 1 s regex timeout: about 4 s per mail.
        await using var smtp = await SmtpTestSilo.StartAsync(new() { ["AlarmInbox:Alarms:RegexTimeout"] = SmtpTestSilo.Seconds(1) });
        var (slowTenant, _, slowAddress) = await smtp.CreateAddressAsync();
        var (fastTenant, _, fastAddress) = await smtp.CreateAddressAsync();
        var slowRules = Enumerable.Range(1, 4).Select(i => new AlarmRule($"slow{i}", $"(?<Slow{i}>(a|aa)+c)")).ToList();
        await smtp.Silo.Grains.GetGrain<ITenantAlarmsGrain>(slowTenant).SetSettingsAsync(AlarmEvaluatorTests.CorpusSettings with { Rules = slowRules });
        var backtracking = new string('a', 60);

        const int slowMails = 6;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < slowMails; i++)
        {
            await smtp.SendAsync(SmtpTestSilo.Mail($"B3 Langsam {i}", $"2026-0003{i:00}", backtracking), slowAddress);
        }

        var fastSent = clock.Elapsed;
        await smtp.SendAsync(SmtpTestSilo.Mail("B3 Wohnhausbrand", "2026-000399"), fastAddress);
        await Eventually.WaitForAsync(() => CountAsync(smtp, fastTenant), n => n == 1, Wait, "the second tenant's alarm");
        var fastDelay = clock.Elapsed - fastSent;
        var slowDone = await CountAsync(smtp, slowTenant);

        await Eventually.WaitForAsync(() => CountAsync(smtp, slowTenant), n => n == slowMails, Wait, "all slow alarms");
        var slowTotal = clock.Elapsed;
        var slowAlarm = (await smtp.Silo.Grains.GetGrain<ITenantAlarmsGrain>(slowTenant).ListAsync(new AlarmQuery { Limit = 10 }))[0];
        output.WriteLine($"Slow tenant: {slowMails} mails in {slowTotal.TotalSeconds:0.0} s ({slowTotal.TotalSeconds / slowMails:0.0} s per mail, {slowAlarm.RuleErrors.Count} rule timeouts each); "
            + $"second tenant's alarm {fastDelay.TotalSeconds:0.00} s after its 250, while {slowMails - slowDone} slow mails were still waiting or in evaluation");

        Assert.NotEmpty(slowAlarm.RuleErrors);
        Assert.True(slowDone < slowMails, $"the slow tenant had finished all {slowMails} mails before the second tenant's one; the test proves nothing");
        // The bound: no more than one slow mail's time (4 s), where a shared FIFO made it wait for the whole backlog.
        Assert.True(fastDelay < TimeSpan.FromSeconds(4), $"the second tenant's alarm took {fastDelay.TotalSeconds:0.0} s");
    }

    private static async Task<int> CountAsync(SmtpTestSilo smtp, string tenantId) =>
        (await smtp.Silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { Limit = 50 })).Count;
}
