namespace AlarmInbox.Grains.Mime;

/// <summary>What <see cref="MixedUtf8.Analyse"/> found in a byte sequence.</summary>
/// <param name="MultiByteSequences">Valid UTF-8 sequences of two to four bytes.</param>
/// <param name="InvalidBytes">Bytes of 0x80 or above that start no valid UTF-8 sequence.</param>
/// <param name="AllPlausible">Whether every multi-byte sequence decodes to a character of <see cref="MixedUtf8.IsPlausible"/> (true when there is none).</param>
public readonly record struct Utf8Analysis(int MultiByteSequences, int InvalidBytes, bool AllPlausible);
