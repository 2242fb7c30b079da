using System.Globalization;

namespace AeroSnapshot.Cli.Output;

/// <summary>Sizes as people type and read them: plain bytes, or KiB/MiB/GiB (powers of 1024).</summary>
internal static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("GiB", 1L << 30),
        ("MiB", 1L << 20),
        ("KiB", 1L << 10),
        ("B", 1L),
    ];

    /// <summary>The accepted forms, for messages and help.</summary>
    public const string Forms = "plain bytes (4096) or a whole number with KiB, MiB or GiB (64MiB)";

    /// <summary>
    /// Parses <c>4096</c>, <c>4096B</c>, <c>64KiB</c>, <c>256MiB</c>, <c>2GiB</c> (suffix case-insensitive,
    /// a space before it allowed). Decimal units (MB, GB) are refused rather than guessed at.
    /// </summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        ReadOnlySpan<char> span = text.AsSpan().Trim();
        long factor = 1;
        foreach ((string suffix, long unitFactor) in Units)
        {
            if (span.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                span = span[..^suffix.Length].TrimEnd();
                factor = unitFactor;
                break;
            }
        }

        if (span.IsEmpty || !span.ContainsOnlyDigits())
        {
            return false;
        }

        if (!long.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out long number))
        {
            return false;
        }

        try
        {
            bytes = checked(number * factor);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>
    /// A size as it would be typed on the command line (help's defaults): the largest unit that
    /// divides it exactly, <c>256MiB</c>, <c>64KiB</c>, or plain bytes (<c>4097</c>).
    /// </summary>
    public static string FormatInput(long bytes)
    {
        foreach ((string suffix, long factor) in Units)
        {
            if (factor > 1 && bytes != 0 && bytes % factor == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes / factor}{suffix}");
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A size for people: <c>512 B</c>, <c>4.0 KiB</c>, <c>256.0 MiB</c>, <c>1.50 GiB</c>.</summary>
    public static string Format(long bytes)
    {
        if (bytes < 1024)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
        }

        double value = bytes;
        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit >= 2 && value < 10
            ? string.Create(CultureInfo.InvariantCulture, $"{value:0.00} {units[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> span)
    {
        foreach (char c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
