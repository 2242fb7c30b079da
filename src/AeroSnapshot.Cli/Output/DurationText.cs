using System.Globalization;
using System.Text;

namespace AeroSnapshot.Cli.Output;

/// <summary>
/// Durations as people type them on a command line: one or more whole numbers each with a unit,
/// <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>7d</c>, <c>2w</c>, <c>1h30m</c>. <c>m</c> is minutes
/// (restic's <c>--keep-within</c> reads it as months; months have no fixed length, so they are not offered).
/// </summary>
internal static class DurationText
{
    /// <summary>The accepted forms, for messages and help.</summary>
    public const string Forms = "whole numbers with ms, s, m (minutes), h, d or w, e.g. 30s, 5m, 1h30m, 7d";

    private static readonly (string Suffix, TimeSpan Unit)[] Units =
    [
        ("ms", TimeSpan.FromMilliseconds(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("h", TimeSpan.FromHours(1)),
        ("d", TimeSpan.FromDays(1)),
        ("w", TimeSpan.FromDays(7)),
    ];

    /// <summary>Parses <paramref name="text"/>; <c>0</c> alone is zero. False for anything else, or past ten years.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text == "0")
        {
            return true;
        }

        ReadOnlySpan<char> rest = text.AsSpan();
        long ticks = 0;
        while (!rest.IsEmpty)
        {
            int digits = 0;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }

            int letters = digits;
            while (letters < rest.Length && char.IsAsciiLetterLower(rest[letters]))
            {
                letters++;
            }

            if (digits == 0 || letters == digits
                || !long.TryParse(rest[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out long number)
                || Unit(rest[digits..letters]) is not { } unit)
            {
                return false;
            }

            try
            {
                ticks = checked(ticks + checked(number * unit.Ticks));
            }
            catch (OverflowException)
            {
                return false;
            }

            rest = rest[letters..];
        }

        duration = TimeSpan.FromTicks(ticks);
        return duration <= TimeSpan.FromDays(3653);
    }

    /// <summary><c>90s</c> → <c>1m30s</c>: the largest units first, as it would be typed.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0";
        }

        var text = new StringBuilder();
        long ticks = duration.Ticks;
        for (int i = Units.Length - 1; i >= 0; i--)
        {
            long count = ticks / Units[i].Unit.Ticks;
            if (count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{count}{Units[i].Suffix}");
                ticks -= count * Units[i].Unit.Ticks;
            }
        }

        return text.ToString();
    }

    private static TimeSpan? Unit(ReadOnlySpan<char> suffix)
    {
        foreach ((string name, TimeSpan unit) in Units)
        {
            if (suffix.SequenceEqual(name))
            {
                return unit;
            }
        }

        return null;
    }

    /// <summary>A <c>CustomParser</c> for an option taking a duration, reporting a usage error naming the forms.</summary>
    public static TimeSpan? ParseOption(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (TryParse(text, out TimeSpan duration))
        {
            return duration;
        }

        result.AddError($"Invalid duration '{text}' for {(result.Parent as System.CommandLine.Parsing.OptionResult)?.Option.Name}: use {Forms}.");
        return null;
    }
}
