namespace AlarmInbox.Grains.Interfaces.Diagnostics;

/// <summary>How one step of a connection test ended.</summary>
[GenerateSerializer]
[Alias("alarminbox.ConnectionTestOutcome")]
public enum ConnectionTestOutcome
{
    /// <summary>The step worked.</summary>
    Passed = 0,

    /// <summary>The step failed; it carries a code, the server's or Entra ID's message, and a hint.</summary>
    Failed = 1,

    /// <summary>The step was not run: it does not apply (e.g. no TLS with security None) or an earlier step failed.</summary>
    Skipped = 2,
}
