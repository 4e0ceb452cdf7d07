using System.Buffers;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Characters that HTML editors and dispatch templates put inside words and that show as nothing: the soft hyphen
/// (U+00AD, <c>&amp;shy;</c>), the zero-width space (U+200B), the word joiner (U+2060) and the zero-width no-break space
/// (U+FEFF). Inside a label (<c>Einsatz&amp;shy;nummer</c>) they hide it from the label rules, so the decoder drops them.
/// </summary>
internal static class InvisibleCharacters
{
    private static readonly SearchValues<char> All = SearchValues.Create("\u00AD\u200B\u2060\uFEFF");

    /// <summary>Whether <paramref name="c"/> is one of the invisible characters.</summary>
    public static bool Is(char c) => c is '\u00AD' or '\u200B' or '\u2060' or '\uFEFF';

    /// <summary><paramref name="text"/> without the invisible characters (the same instance when it has none).</summary>
    public static string Remove(string text)
    {
        var first = text.AsSpan().IndexOfAny(All);
        if (first < 0)
        {
            return text;
        }

        return string.Create(text.Length - Count(text.AsSpan(first)), (text, first), static (destination, state) =>
        {
            state.text.AsSpan(0, state.first).CopyTo(destination);
            var written = state.first;
            foreach (var c in state.text.AsSpan(state.first))
            {
                if (!Is(c))
                {
                    destination[written++] = c;
                }
            }
        });
    }

    private static int Count(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
        {
            count += Is(c) ? 1 : 0;
        }

        return count;
    }
}
