using System.Runtime.CompilerServices;

namespace AeroSnapshot.Fast.Text;

/// <summary>
/// Fixed-width decimal fields shared by <see cref="SnapshotId"/> and <see cref="SnapshotInstant"/>:
/// both are the same UTC second written in two ISO 8601 shapes, so parsing and formatting the
/// digits lives in one place.
/// </summary>
internal static class IsoDigits
{
    public static bool TryParse<TChar>(ReadOnlySpan<TChar> text, int start, int width, out int value)
        where TChar : unmanaged, IEquatable<TChar>
    {
        value = 0;
        for (int i = start; i < start + width; i++)
        {
            int digit = CharValue(text[i]) - '0';
            if ((uint)digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    public static void Write<TChar>(Span<TChar> destination, int start, int width, int value)
        where TChar : unmanaged, IEquatable<TChar>
    {
        for (int i = start + width - 1; i >= start; i--)
        {
            destination[i] = FromAscii<TChar>((char)('0' + (value % 10)));
            value /= 10;
        }
    }

    public static int CharValue<TChar>(TChar c)
        where TChar : unmanaged, IEquatable<TChar>
        => typeof(TChar) == typeof(byte) ? Unsafe.As<TChar, byte>(ref c) : Unsafe.As<TChar, char>(ref c);

    public static TChar FromAscii<TChar>(char c)
        where TChar : unmanaged, IEquatable<TChar>
    {
        if (typeof(TChar) == typeof(byte))
        {
            byte b = (byte)c;
            return Unsafe.As<byte, TChar>(ref b);
        }

        return Unsafe.As<char, TChar>(ref c);
    }

    /// <summary>Validates calendar fields and builds the UTC instant they name.</summary>
    public static bool TryBuild(int year, int month, int day, int hour, int minute, int second, out DateTime utc)
    {
        utc = default;
        if (year < 1 || month is < 1 or > 12 || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        if (day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        utc = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        return true;
    }
}
