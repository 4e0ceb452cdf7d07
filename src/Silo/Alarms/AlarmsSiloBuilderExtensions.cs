using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Silo.Alarms;

/// <summary>Silo wiring of the alarm pipeline.</summary>
public static class AlarmsSiloBuilderExtensions
{
    /// <summary>
    /// Adds the memory stream provider <see cref="AlarmStreams.ProviderName"/> (with its in-memory <c>PubSubStore</c>) and
    /// the start-up task that resumes pending alarm hand-offs and webhook deliveries (in-memory reminders of the embedded
    /// mode do not survive a restart).
    /// </summary>
    /// <param name="siloBuilder">The silo.</param>
    /// <param name="queues">Stream queues; each is polled every 100 ms, busy or not (<c>AlarmInbox:Silo:AlarmStreamQueues</c>).</param>
    public static ISiloBuilder AddAlarmInboxAlarms(this ISiloBuilder siloBuilder, int queues)
    {
        siloBuilder.AddMemoryStreams(AlarmStreams.ProviderName, streams => streams.ConfigurePartitioning(queues)).AddMemoryGrainStorage("PubSubStore");
        siloBuilder.AddStartupTask<AlarmDeliveryResumeStartupTask>();
        return siloBuilder;
    }
}
