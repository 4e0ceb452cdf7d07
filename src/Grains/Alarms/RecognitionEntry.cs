namespace AlarmInbox.Grains.Alarms;

/// <summary>A tenant-wide recognition key (<see cref="RecognitionKeys"/>) and the alarm of the mail it was taken from.</summary>
/// <param name="Key">The key: <c>mid:</c> + Message-ID, or <c>txt:</c> + a hash of sender, subject and text.</param>
/// <param name="AlarmId">The alarm.</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.RecognitionEntry")]
public sealed record RecognitionEntry([property: Id(0)] string Key, [property: Id(1)] string AlarmId);
