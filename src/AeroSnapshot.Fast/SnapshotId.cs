using System.Diagnostics.CodeAnalysis;
using AeroSnapshot.Fast.Text;

namespace AeroSnapshot.Fast;

/// <summary>
/// The name of a snapshot: the UTC second it was taken, in ISO 8601 basic format
/// <c>YYYYMMDDTHHMMSSZ</c> (always 16 characters). Ids order by time, so the newest snapshot is
/// the greatest id and an ordinal sort of directory names is a chronological sort.
/// </summary>
public readonly struct SnapshotId :
    IEquatable<SnapshotId>, IComparable<SnapshotId>, IComparable,
    ISpanFormattable, IUtf8SpanFormattable, ISpanParsable<SnapshotId>, IUtf8SpanParsable<SnapshotId>
{
    /// <summary>The length of every formatted id, in characters or UTF-8 bytes.</summary>
    public const int Length = 16;

    private readonly DateTime _utc;

    private SnapshotId(DateTime utc) => _utc = utc;

    /// <summary>The UTC instant this id names, to the second.</summary>
    public DateTime UtcDateTime => DateTime.SpecifyKind(_utc, DateTimeKind.Utc);

    /// <summary>The same instant in the manifest's <c>created_at</c> form.</summary>
    public SnapshotInstant Instant => SnapshotInstant.FromDateTime(_utc);

    /// <summary>Builds the id for <paramref name="instant"/>, dropping anything below a second.</summary>
    public static SnapshotId FromDateTimeOffset(DateTimeOffset instant)
    {
        DateTime utc = instant.UtcDateTime;
        return new SnapshotId(new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc));
    }

    /// <summary>Parses an id; throws <see cref="FormatException"/> unless it is exactly <c>YYYYMMDDTHHMMSSZ</c>.</summary>
    public static SnapshotId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    /// <inheritdoc cref="Parse(string)"/>
    public static SnapshotId Parse(ReadOnlySpan<char> text)
        => TryParse(text, out SnapshotId id) ? id : throw new FormatException($"'{text}' is not a snapshot id (expected YYYYMMDDTHHMMSSZ).");

    /// <summary>Parses an id, returning false for anything but a valid <c>YYYYMMDDTHHMMSSZ</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SnapshotId id)
        => TryParse(text.AsSpan(), out id);

    /// <inheritdoc cref="TryParse(string?, out SnapshotId)"/>
    public static bool TryParse(ReadOnlySpan<char> text, out SnapshotId id) => TryParseCore(text, out id);

    /// <inheritdoc cref="TryParse(string?, out SnapshotId)"/>
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, out SnapshotId id) => TryParseCore(utf8Text, out id);

    private static bool TryParseCore<TChar>(ReadOnlySpan<TChar> text, out SnapshotId id)
        where TChar : unmanaged, IEquatable<TChar>
    {
        id = default;
        if (text.Length != Length
            || IsoDigits.CharValue(text[8]) != 'T'
            || IsoDigits.CharValue(text[15]) != 'Z'
            || !IsoDigits.TryParse(text, 0, 4, out int year)
            || !IsoDigits.TryParse(text, 4, 2, out int month)
            || !IsoDigits.TryParse(text, 6, 2, out int day)
            || !IsoDigits.TryParse(text, 9, 2, out int hour)
            || !IsoDigits.TryParse(text, 11, 2, out int minute)
            || !IsoDigits.TryParse(text, 13, 2, out int second)
            || !IsoDigits.TryBuild(year, month, day, hour, minute, second, out DateTime utc))
        {
            return false;
        }

        id = new SnapshotId(utc);
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
        IsoDigits.Write(destination, 4, 2, _utc.Month);
        IsoDigits.Write(destination, 6, 2, _utc.Day);
        destination[8] = IsoDigits.FromAscii<TChar>('T');
        IsoDigits.Write(destination, 9, 2, _utc.Hour);
        IsoDigits.Write(destination, 11, 2, _utc.Minute);
        IsoDigits.Write(destination, 13, 2, _utc.Second);
        destination[15] = IsoDigits.FromAscii<TChar>('Z');
        written = Length;
        return true;
    }

    /// <summary>The id as <c>YYYYMMDDTHHMMSSZ</c>.</summary>
    public override string ToString() => string.Create(Length, this, static (span, id) => id.TryFormatCore(span, out _));

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool Equals(SnapshotId other) => _utc == other._utc;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SnapshotId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _utc.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(SnapshotId other) => _utc.CompareTo(other._utc);

    /// <inheritdoc/>
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        SnapshotId other => CompareTo(other),
        _ => throw new ArgumentException("Object must be a SnapshotId.", nameof(obj)),
    };

    /// <summary>Equality.</summary>
    public static bool operator ==(SnapshotId left, SnapshotId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(SnapshotId left, SnapshotId right) => !left.Equals(right);

    /// <summary>Earlier than.</summary>
    public static bool operator <(SnapshotId left, SnapshotId right) => left.CompareTo(right) < 0;

    /// <summary>Later than.</summary>
    public static bool operator >(SnapshotId left, SnapshotId right) => left.CompareTo(right) > 0;

    /// <summary>Not later than.</summary>
    public static bool operator <=(SnapshotId left, SnapshotId right) => left.CompareTo(right) <= 0;

    /// <summary>Not earlier than.</summary>
    public static bool operator >=(SnapshotId left, SnapshotId right) => left.CompareTo(right) >= 0;

    static SnapshotId IParsable<SnapshotId>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<SnapshotId>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out SnapshotId result) => TryParse(s, out result);

    static SnapshotId ISpanParsable<SnapshotId>.Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    static bool ISpanParsable<SnapshotId>.TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out SnapshotId result) => TryParse(s, out result);

    static SnapshotId IUtf8SpanParsable<SnapshotId>.Parse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider)
        => TryParse(utf8Text, out SnapshotId id) ? id : throw new FormatException("Not a snapshot id (expected YYYYMMDDTHHMMSSZ).");

    static bool IUtf8SpanParsable<SnapshotId>.TryParse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider, out SnapshotId result) => TryParse(utf8Text, out result);
}
