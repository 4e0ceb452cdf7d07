namespace AlarmInbox.Grains.Interfaces.Health;

/// <summary>
/// A grain call failed because the silo's storage (the database behind grain state) failed; nothing was changed by
/// the part that failed. Carries code <c>storage_unavailable</c>; the API answers it with 503 and <c>Retry-After</c>.
/// The database driver's own exception stays in the silo's log: it is not serializable and its message may hold
/// connection details.
/// </summary>
[GenerateSerializer]
[Alias("alarminbox.StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public StorageUnavailableException()
        : this("storage_unavailable: the database failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming exception types only.</param>
    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an inner exception (kept in this process only).</summary>
    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
