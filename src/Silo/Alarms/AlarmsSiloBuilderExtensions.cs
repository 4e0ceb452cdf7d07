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
    public static ISiloBuilder AddAlarmInboxAlarms(this ISiloBuilder siloBuilder)
    {
        siloBuilder.AddMemoryStreams(AlarmStreams.ProviderName).AddMemoryGrainStorage("PubSubStore");
        siloBuilder.AddStartupTask<AlarmDeliveryResumeStartupTask>();
        return siloBuilder;
    }
}
