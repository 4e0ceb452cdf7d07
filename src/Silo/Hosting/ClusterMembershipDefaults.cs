using Orleans.Configuration;

namespace AlarmInbox.Silo.Hosting;

/// <summary>
/// Membership settings of the cluster mode, tuned so that a dead silo is declared dead in seconds rather than a
/// minute (see docs/cluster.md for the measured times and the trade-off). Each can be overridden in section
/// <c>AlarmInbox:Membership</c> with the names of Orleans' <see cref="ClusterMembershipOptions"/>.
/// </summary>
public static class ClusterMembershipDefaults
{
    /// <summary>The configuration section whose keys override the defaults.</summary>
    public const string SectionName = "AlarmInbox:Membership";

    /// <summary>Applies the AlarmInbox defaults.</summary>
    public static void Apply(ClusterMembershipOptions options)
    {
        // A probe that gets no answer in 2 s counts as missed (Orleans: 5 s); 2 missed probes in a row make a suspicion
        // (Orleans: 3). Votes needed stay at Orleans' 2, which Orleans caps at half the active silos (1 of 2).
        options.ProbeTimeout = TimeSpan.FromSeconds(2);
        options.NumMissedProbesLimit = 2;
        options.NumVotesForDeathDeclaration = 2;

        // Silos re-read the table every 5 s (Orleans: 60 s), so a silo that was declared dead by another one is seen
        // as dead quickly, and the reminder ranges move on.
        options.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
    }
}
