using AlarmInbox.Tests.Hostile;
using AlarmInbox.Tests.Security;

namespace AlarmInbox.Tests.Inbound;

/// <summary>
/// What the file spool and the cluster spool tests of a mail that fails every hand-off share: the settings (first retry
/// after 0.5 s, doubling, parked after 3 failures) and the checks of the retries and of the log line.
/// </summary>
public static class PoisonMail
{
    /// <summary>The SMTP settings of the poison mail tests.</summary>
    public static Dictionary<string, string?> Settings => new()
    {
        ["AlarmInbox:Smtp:RetryInterval"] = SmtpTestSilo.Seconds(0.5),
        ["AlarmInbox:Smtp:RetryBackoffCap"] = SmtpTestSilo.Seconds(5),
        ["AlarmInbox:Smtp:MaxHandOffAttempts"] = "3",
    };

    /// <summary>
    /// Exactly 3 attempts, the second at least 0.4 s after the first and the third at least 0.8 s after the second
    /// (0.5 s and 1 s less 20 % jitter): lower bounds, which a loaded machine only makes easier to meet.
    /// </summary>
    public static void AssertRetriedWithGrowingWaits(IReadOnlyList<TimeSpan> attempts)
    {
        Assert.Equal(3, attempts.Count);
        Assert.True(attempts[1] - attempts[0] >= TimeSpan.FromSeconds(0.4), $"second attempt {(attempts[1] - attempts[0]).TotalSeconds:0.00} s after the first");
        Assert.True(attempts[2] - attempts[1] >= TimeSpan.FromSeconds(0.8), $"third attempt {(attempts[2] - attempts[1]).TotalSeconds:0.00} s after the second");
    }

    /// <summary>One error line with event id 4390 that names the spool id and the tenant.</summary>
    public static void AssertLogged(CapturingLoggerProvider logs, string spoolId, string tenantId)
    {
        var parked = logs.Lines.Where(l => l.Contains("[4390]", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(parked);
        Assert.StartsWith("Error AlarmInbox.Silo.Smtp.SpoolProcessor[4390]", line, StringComparison.Ordinal);
        Assert.Contains($"SMTP spool: {spoolId} of tenant {tenantId} failed its hand-off 3 times, last with InvalidOperationException", line, StringComparison.Ordinal);
    }
}
