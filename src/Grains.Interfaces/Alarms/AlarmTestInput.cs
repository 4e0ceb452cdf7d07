namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>A mail for the rule tester: either a raw RFC 5322 message or plain text with an optional subject and sender.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.AlarmTestInput")]
public sealed record AlarmTestInput
{
    /// <summary>The raw message (an .eml file), at most <see cref="AlarmLimits.MaxTestMessageBytes"/> bytes; or <see langword="null"/> when <see cref="Text"/> is given.</summary>
    [Id(0)] public byte[]? RawMessage { get; init; }

    /// <summary>A plain-text body, used when <see cref="RawMessage"/> is <see langword="null"/>.</summary>
    [Id(1)] public string? Text { get; init; }

    /// <summary>The subject for <see cref="Text"/>.</summary>
    [Id(2)] public string? Subject { get; init; }

    /// <summary>The sender address for <see cref="Text"/>.</summary>
    [Id(3)] public string? From { get; init; }
}
