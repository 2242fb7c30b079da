using System.Buffers;

namespace AeroSnapshot.Fast.Text;

/// <summary>UTF-16 well-formedness: a .NET string may hold unpaired surrogates, which no UTF-8 file can.</summary>
internal static class Utf16Text
{
    // SearchValues rather than IndexOfAnyInRange('\uD800', '\uDFFF'): the latter boxes its bounds in
    // tier-0 code, and this runs for every string the manifest writer writes (see JsonPrettyWriter).
    private static readonly SearchValues<char> Surrogates = SearchValues.Create(
        string.Create(0x800, 0, static (range, _) =>
        {
            for (int i = 0; i < range.Length; i++)
            {
                range[i] = (char)(0xD800 + i);
            }
        }));

    public static bool IsWellFormed(ReadOnlySpan<char> text)
    {
        int i = text.IndexOfAny(Surrogates);
        if (i < 0)
        {
            return true;
        }

        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
