namespace AlarmInbox.Grains.Interfaces.Commands;

/// <summary>
/// What a grain answers to a command (create, update, delete): the state after it, or why nothing was done
/// (<see cref="Error"/>: invalid input keyed by field, not found, conflict). The grain addressed checks the input and
/// the ownership once; an expected refusal is an answer, not an exception. A <see cref="CommandError"/> converts
/// implicitly, so a grain method can <c>return CommandError.TenantNotFound(id);</c>.
/// </summary>
/// <typeparam name="T">The state returned on success (e.g. the created mailbox).</typeparam>
[GenerateSerializer, Immutable]
[Alias("alarminbox.CommandResult`1")]
public sealed record CommandResult<T> where T : class
{
    /// <summary>The state after the command; <see langword="null"/> when <see cref="Error"/> is set.</summary>
    [Id(0)] public T? Value { get; init; }

    /// <summary>Why nothing was done; <see langword="null"/> when the command was carried out.</summary>
    [Id(1)] public CommandError? Error { get; init; }

    /// <summary>Whether the command was carried out.</summary>
    public bool Succeeded => Error is null;

    /// <summary>A refusal.</summary>
    public static implicit operator CommandResult<T>(CommandError error) => new() { Error = error };
}
