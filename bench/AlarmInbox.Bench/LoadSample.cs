namespace AlarmInbox.Bench;

/// <summary>One sample of the load benchmark: cumulative CPU seconds and poll counters, current memory and connections.</summary>
/// <param name="At">When it was taken (UTC).</param>
/// <param name="SiloCpu">Silo process CPU seconds (user + system).</param>
/// <param name="SiloRssKiB">Silo resident memory (VmRSS), KiB.</param>
/// <param name="ApiCpu">API process CPU seconds.</param>
/// <param name="DovecotCpu">Dovecot CPU seconds: master and descendants, including reaped children.</param>
/// <param name="Connections">Established TCP connections to the Dovecot port.</param>
/// <param name="PollsSuccess">The silo's successful polls so far.</param>
/// <param name="PollsError">The silo's failed polls so far.</param>
public sealed record LoadSample(DateTimeOffset At, double SiloCpu, long SiloRssKiB, double ApiCpu, double DovecotCpu, int Connections, double PollsSuccess, double PollsError)
{
    /// <summary>Takes a sample now.</summary>
    public static async Task<LoadSample> TakeAsync(AlarmInboxHost host, LoadDovecot dovecot, CancellationToken cancellationToken)
    {
        var (success, error) = await host.PollCountersAsync(cancellationToken);
        return new LoadSample(DateTimeOffset.UtcNow, ProcFs.CpuSeconds(host.SiloPid), ProcFs.RssKiB(host.SiloPid), ProcFs.CpuSeconds(host.ApiPid),
            dovecot.CpuSeconds(), dovecot.Connections(), success, error);
    }
}
