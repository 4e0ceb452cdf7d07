namespace AlarmInbox.Grains.Interfaces.Health;

/// <summary>
/// Answers readiness checks: a call proves that a silo is reachable, and the grain reads a row from grain storage on
/// every call, which proves that the storage answers. Keyed by <see cref="Key"/>; runs on the silo that receives the call.
/// </summary>
[Alias("alarminbox.IHealthProbeGrain")]
public interface IHealthProbeGrain : IGrainWithStringKey
{
    /// <summary>The only key of this grain.</summary>
    public const string Key = "probe";

    /// <summary>Reads the probe row from grain storage and returns the silo that answered.</summary>
    /// <returns>The silo address, for diagnostics.</returns>
    /// <exception cref="Orleans.Runtime.OrleansException">Grain storage failed.</exception>
    [Alias("CheckStorageAsync")]
    Task<string> CheckStorageAsync();

    /// <summary>The storage problems the answering silo has seen and not yet seen recover (a full disk, a failing database).</summary>
    /// <returns>The problems, empty when storage works.</returns>
    [Alias("GetStorageProblemsAsync")]
    Task<IReadOnlyList<StorageProblem>> GetStorageProblemsAsync();
}
