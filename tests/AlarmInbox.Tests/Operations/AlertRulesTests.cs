using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Operations;

/// <summary>docs/alerts.yml is valid for Prometheus and its alerts fire when they should (promtool from Debian's <c>prometheus</c> package, installed by scripts/install-deps.sh).</summary>
public sealed class AlertRulesTests
{
    private static readonly string Docs = Path.Combine(RepoPaths.Root, "docs");

    [Fact]
    public async Task AlertRulesPassPromtoolCheck()
    {
        var result = await CommandResult.RunAsync("promtool", "check", "rules", Path.Combine(Docs, "alerts.yml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS: 6 rules found", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertsFireAfterTheirDelaysInPromtoolUnitTests()
    {
        var result = await CommandResult.RunAsync("promtool", "test", "rules", Path.Combine(Docs, "alerts.test.yml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }
}
