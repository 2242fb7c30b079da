using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using AeroSnapshot.Fast.Text;

namespace AeroSnapshot.Fast;

/// <summary>
/// A CRC-32 (IEEE polynomial, as <see cref="System.IO.Hashing.Crc32"/> computes it) written
/// <c>crc32:</c> followed by exactly eight hex digits: lowercase when written, either case when read.
/// </summary>
public readonly struct Crc32Checksum : IEquatable<Crc32Checksum>, ISpanFormattable, IUtf8SpanFormattable
{
    /// <summary>The length of every formatted checksum: <c>crc32:</c> and eight digits.</summary>
    public const int Length = 14;

    private const string Prefix = "crc32:";

    /// <summary>Wraps a CRC-32 value.</summary>
    public Crc32Checksum(uint value) => Value = value;

    /// <summary>The CRC-32 value.</summary>
    public uint Value { get; }

    /// <summary>Parses <c>crc32:xxxxxxxx</c>; throws <see cref="FormatException"/> otherwise.</summary>
    public static Crc32Checksum Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out Crc32Checksum value)
            ? value
            : throw new FormatException($"'{text}' is not a checksum (expected crc32: and 8 hex digits).");
    }

    /// <summary>Parses <c>crc32:xxxxxxxx</c> (hex in either case), returning false for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Crc32Checksum value)
    {
        value = default;
        ReadOnlySpan<char> span = text.AsSpan();
        if (span.Length != Length || !span.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        return TryParseHex(span[Prefix.Length..], out value);
    }

    /// <inheritdoc cref="TryParse(string?, out Crc32Checksum)"/>
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, out Crc32Checksum value)
    {
        value = default;
        if (utf8Text.Length != Length || !utf8Text.StartsWith("crc32:"u8))
        {
            return false;
        }

        return TryParseHex(utf8Text[Prefix.Length..], out value);
    }

    private static bool TryParseHex<TChar>(ReadOnlySpan<TChar> digits, out Crc32Checksum value)
        where TChar : unmanaged, IEquatable<TChar>
    {
        value = default;
        uint result = 0;
        foreach (TChar c in digits)
        {
            int digit = HexValue((char)IsoDigits.CharValue(c));
            if (digit < 0)
            {
                return false;
            }

            result = (result << 4) | (uint)digit;
        }

        value = new Crc32Checksum(result);
        return true;
    }

    // uint.Parse(AllowHexSpecifier) would also accept fewer digits and surrounding white space.
    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        if (destination.Length < Length)
        {
            charsWritten = 0;
            return false;
        }

        Prefix.CopyTo(destination);
        Value.TryFormat(destination[Prefix.Length..], out _, "x8", CultureInfo.InvariantCulture);
        charsWritten = Length;
        return true;
    }

    /// <inheritdoc/>
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        if (utf8Destination.Length < Length)
        {
            bytesWritten = 0;
            return false;
        }

        "crc32:"u8.CopyTo(utf8Destination);
        Value.TryFormat(utf8Destination[Prefix.Length..], out _, "x8", CultureInfo.InvariantCulture);
        bytesWritten = Length;
        return true;
    }

    /// <summary>The checksum as <c>crc32:xxxxxxxx</c>.</summary>
    public override string ToString() => string.Create(Length, this, static (span, v) => v.TryFormat(span, out _));

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool Equals(Crc32Checksum other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Crc32Checksum other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)Value;

    /// <summary>Equality.</summary>
    public static bool operator ==(Crc32Checksum left, Crc32Checksum right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Crc32Checksum left, Crc32Checksum right) => !left.Equals(right);
}
