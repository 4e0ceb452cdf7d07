namespace AlarmInbox.Grains.Interfaces.Commands;

/// <summary>Creates <see cref="CommandResult{T}"/> values with the type inferred.</summary>
public static class CommandResult
{
    /// <summary>The command was carried out; <paramref name="value"/> is the state after it.</summary>
    public static CommandResult<T> Ok<T>(T value) where T : class => new() { Value = value };
}
