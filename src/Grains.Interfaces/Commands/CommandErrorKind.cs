namespace AlarmInbox.Grains.Interfaces.Commands;

/// <summary>Why a grain did not carry out a command (see <see cref="CommandError"/>); the API maps each kind to one HTTP status.</summary>
[GenerateSerializer]
[Alias("alarminbox.CommandErrorKind")]
public enum CommandErrorKind
{
    /// <summary>The input broke a rule; <see cref="CommandError.Errors"/> names every failing field (HTTP 400, validation problem).</summary>
    Invalid = 0,

    /// <summary>The thing addressed does not exist, or belongs to another tenant (HTTP 404).</summary>
    NotFound = 1,

    /// <summary>The command clashes with the current state: an id taken, a limit reached, a state that forbids it (HTTP 409).</summary>
    Conflict = 2,
}
