using System.Diagnostics.CodeAnalysis;
using AeroSnapshot.Fast.Text;

namespace AeroSnapshot.Fast;

/// <summary>
/// A UTC instant to the second, written <c>YYYY-MM-DDTHH:MM:SSZ</c>: the manifest's
/// <c>created_at</c>. Nothing else (offsets, fractions, lowercase separators) is accepted.
/// </summary>
public readonly struct SnapshotInstant :
    IEquatable<SnapshotInstant>, IComparable<SnapshotInstant>, ISpanFormattable, IUtf8SpanFormattable
{
    /// <summary>The length of every formatted instant, in characters or UTF-8 bytes.</summary>
    public const int Length = 20;

    private readonly DateTime _utc;

    private SnapshotInstant(DateTime utc) => _utc = utc;

    /// <summary>The instant as a UTC <see cref="DateTime"/>.</summary>
    public DateTime UtcDateTime => DateTime.SpecifyKind(_utc, DateTimeKind.Utc);

    /// <summary>The snapshot id naming the same second.</summary>
    public SnapshotId ToSnapshotId() => SnapshotId.FromDateTimeOffset(new DateTimeOffset(UtcDateTime));

    /// <summary>Builds an instant from <paramref name="value"/>, truncated to the second.</summary>
    public static SnapshotInstant FromDateTimeOffset(DateTimeOffset value) => FromDateTime(value.UtcDateTime);

    internal static SnapshotInstant FromDateTime(DateTime utc)
        => new(new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc));

    /// <summary>Parses <c>YYYY-MM-DDTHH:MM:SSZ</c>; throws <see cref="FormatException"/> otherwise.</summary>
    public static SnapshotInstant Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out SnapshotInstant value)
            ? value
            : throw new FormatException($"'{text}' is not a UTC instant (expected YYYY-MM-DDTHH:MM:SSZ).");
    }

    /// <summary>Parses <c>YYYY-MM-DDTHH:MM:SSZ</c>, returning false for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SnapshotInstant value) => TryParseCore(text.AsSpan(), out value);

    /// <inheritdoc cref="TryParse(string?, out SnapshotInstant)"/>
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, out SnapshotInstant value) => TryParseCore(utf8Text, out value);

    private static bool TryParseCore<TChar>(ReadOnlySpan<TChar> text, out SnapshotInstant value)
        where TChar : unmanaged, IEquatable<TChar>
    {
        value = default;
        if (text.Length != Length
            || IsoDigits.CharValue(text[4]) != '-'
            || IsoDigits.CharValue(text[7]) != '-'
            || IsoDigits.CharValue(text[10]) != 'T'
            || IsoDigits.CharValue(text[13]) != ':'
            || IsoDigits.CharValue(text[16]) != ':'
            || IsoDigits.CharValue(text[19]) != 'Z'
            || !IsoDigits.TryParse(text, 0, 4, out int year)
            || !IsoDigits.TryParse(text, 5, 2, out int month)
            || !IsoDigits.TryParse(text, 8, 2, out int day)
            || !IsoDigits.TryParse(text, 11, 2, out int hour)
            || !IsoDigits.TryParse(text, 14, 2, out int minute)
            || !IsoDigits.TryParse(text, 17, 2, out int second)
            || !IsoDigits.TryBuild(year, month, day, hour, minute, second, out DateTime utc))
        {
            return false;
        }

        value = new SnapshotInstant(utc);
        return true;
    }

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
        => TryFormatCore(destination, out charsWritten);

    /// <inheritdoc/>
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
        => TryFormatCore(utf8Destination, out bytesWritten);

    private bool TryFormatCore<TChar>(Span<TChar> destination, out int written)
        where TChar : unmanaged, IEquatable<TChar>
    {
        if (destination.Length < Length)
        {
            written = 0;
            return false;
        }

        IsoDigits.Write(destination, 0, 4, _utc.Year);
        destination[4] = IsoDigits.FromAscii<TChar>('-');
        IsoDigits.Write(destination, 5, 2, _utc.Month);
        destination[7] = IsoDigits.FromAscii<TChar>('-');
        IsoDigits.Write(destination, 8, 2, _utc.Day);
        destination[10] = IsoDigits.FromAscii<TChar>('T');
        IsoDigits.Write(destination, 11, 2, _utc.Hour);
        destination[13] = IsoDigits.FromAscii<TChar>(':');
        IsoDigits.Write(destination, 14, 2, _utc.Minute);
        destination[16] = IsoDigits.FromAscii<TChar>(':');
        IsoDigits.Write(destination, 17, 2, _utc.Second);
        destination[19] = IsoDigits.FromAscii<TChar>('Z');
        written = Length;
        return true;
    }

    /// <summary>The instant as <c>YYYY-MM-DDTHH:MM:SSZ</c>.</summary>
    public override string ToString() => string.Create(Length, this, static (span, v) => v.TryFormatCore(span, out _));

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool Equals(SnapshotInstant other) => _utc == other._utc;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SnapshotInstant other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _utc.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(SnapshotInstant other) => _utc.CompareTo(other._utc);

    /// <summary>Equality.</summary>
    public static bool operator ==(SnapshotInstant left, SnapshotInstant right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(SnapshotInstant left, SnapshotInstant right) => !left.Equals(right);

    /// <summary>Earlier than.</summary>
    public static bool operator <(SnapshotInstant left, SnapshotInstant right) => left.CompareTo(right) < 0;

    /// <summary>Later than.</summary>
    public static bool operator >(SnapshotInstant left, SnapshotInstant right) => left.CompareTo(right) > 0;

    /// <summary>Not later than.</summary>
    public static bool operator <=(SnapshotInstant left, SnapshotInstant right) => left.CompareTo(right) <= 0;

    /// <summary>Not earlier than.</summary>
    public static bool operator >=(SnapshotInstant left, SnapshotInstant right) => left.CompareTo(right) >= 0;
}
