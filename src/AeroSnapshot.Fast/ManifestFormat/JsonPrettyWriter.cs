using System.Buffers;
using System.Text;
using AeroSnapshot.Fast.Text;

namespace AeroSnapshot.Fast.ManifestFormat;

/// <summary>
/// Writes JSON into a caller's span exactly as <c>serde_json::to_string_pretty</c> does: two-space
/// indent, <c>"key": value</c>, empty objects as <c>{}</c>, no trailing newline, and only
/// <c>"</c>, <c>\</c> and control characters escaped (non-ASCII stays raw UTF-8). Generated
/// writers drive it; it never allocates.
/// </summary>
/// <remarks>
/// When the span is too small the writer keeps counting instead of failing half-way, so one pass
/// over an empty span measures the document (<see cref="BytesNeeded"/>) and a second writes it.
/// <see cref="System.Text.Json.Utf8JsonWriter"/> is not used: it is a class (an allocation per
/// document) and escapes non-ASCII and HTML characters, which would change the bytes.
/// </remarks>
internal ref struct JsonPrettyWriter
{
    private const int MaxDepth = 62;
    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    // What serde_json escapes: the quote, the backslash and the C0 controls. One SearchValues scan
    // instead of IndexOfAnyInRange + IndexOfAny: besides being one pass, IndexOfAnyInRange<char> boxes
    // its two bounds (96 bytes a call) until the JIT promotes it to tier 1, and a manifest written every
    // few minutes mostly runs as never-promoted tier-0 code.
    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    private readonly Span<byte> _destination;
    private int _position;
    private int _depth;
    private ulong _hasValueAtDepth;

    /// <summary>Creates a writer over <paramref name="destination"/>.</summary>
    public JsonPrettyWriter(Span<byte> destination)
    {
        _destination = destination;
        _position = 0;
        _depth = 0;
        _hasValueAtDepth = 0;
    }

    /// <summary>How many bytes the document needs so far, whether or not they fitted.</summary>
    public readonly int BytesNeeded => _position;

    /// <summary>True when everything written so far fitted in the destination.</summary>
    public readonly bool Fits => _position <= _destination.Length;

    /// <summary>Opens an object (as a value, or as the document).</summary>
    public void WriteStartObject()
    {
        if (_depth >= MaxDepth)
        {
            throw new InvalidOperationException("JSON nesting is too deep.");
        }

        WriteByte((byte)'{');
        _depth++;
        _hasValueAtDepth &= ~(1UL << _depth);
    }

    /// <summary>Closes the innermost object.</summary>
    public void WriteEndObject()
    {
        if (_depth == 0)
        {
            throw new InvalidOperationException("No object is open.");
        }

        if ((_hasValueAtDepth & (1UL << _depth)) != 0)
        {
            WriteByte((byte)'\n');
            WriteIndent(_depth - 1);
        }

        _depth--;
        WriteByte((byte)'}');
    }

    /// <summary>Writes a key that is already valid JSON string content (a generated constant).</summary>
    public void WritePropertyName(scoped ReadOnlySpan<byte> utf8Name)
    {
        BeginProperty();
        WriteByte((byte)'"');
        WriteRaw(utf8Name);
        WriteRaw("\": "u8);
    }

    /// <summary>Writes a key from a string, escaping it.</summary>
    public void WritePropertyName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        BeginProperty();
        WriteQuoted(name);
        WriteRaw(": "u8);
    }

    /// <summary>Writes a string value, escaping it.</summary>
    public void WriteValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteQuoted(value);
    }

    /// <summary>Writes <c>true</c> or <c>false</c>.</summary>
    public void WriteValue(bool value) => WriteRaw(value ? "true"u8 : "false"u8);

    /// <summary>Writes an integer.</summary>
    public void WriteValue(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int length, default, System.Globalization.CultureInfo.InvariantCulture);
        WriteRaw(digits[..length]);
    }

    /// <summary>Writes an unsigned integer.</summary>
    public void WriteValue(ulong value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int length, default, System.Globalization.CultureInfo.InvariantCulture);
        WriteRaw(digits[..length]);
    }

    /// <summary>Writes a snapshot id as a string.</summary>
    public void WriteValue(SnapshotId value) => WriteFormattedString(value, SnapshotId.Length);

    /// <summary>Writes an instant as a string.</summary>
    public void WriteValue(SnapshotInstant value) => WriteFormattedString(value, SnapshotInstant.Length);

    /// <summary>Writes a checksum as a string.</summary>
    public void WriteValue(Crc32Checksum value) => WriteFormattedString(value, Crc32Checksum.Length);

    /// <summary>Writes a checksum map as an object keyed by path, in code point order.</summary>
    public void WriteValue(ChecksumMap value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteStartObject();
        foreach (ChecksumEntry entry in value)
        {
            WritePropertyName(entry.Path);
            WriteValue(entry.Checksum);
        }

        WriteEndObject();
    }

    private void WriteFormattedString<T>(T value, int length)
        where T : IUtf8SpanFormattable
    {
        // The grammars of these values are ASCII letters, digits and punctuation: nothing to escape.
        Span<byte> text = stackalloc byte[length];
        value.TryFormat(text, out int written, default, null);
        WriteByte((byte)'"');
        WriteRaw(text[..written]);
        WriteByte((byte)'"');
    }

    private void BeginProperty()
    {
        if (_depth == 0)
        {
            throw new InvalidOperationException("A property needs an open object.");
        }

        ulong bit = 1UL << _depth;
        WriteRaw((_hasValueAtDepth & bit) != 0 ? ",\n"u8 : "\n"u8);
        _hasValueAtDepth |= bit;
        WriteIndent(_depth);
    }

    private void WriteIndent(int depth)
    {
        for (int i = 0; i < depth; i++)
        {
            WriteRaw("  "u8);
        }
    }

    private void WriteQuoted(string value)
    {
        WriteByte((byte)'"');
        ReadOnlySpan<char> rest = value;
        while (!rest.IsEmpty)
        {
            // Copy the longest run that needs no escaping in one step.
            int plain = rest.IndexOfAny(NeedsEscape);
            if (plain < 0)
            {
                plain = rest.Length;
            }

            WriteUtf8(rest[..plain]);
            rest = rest[plain..];
            if (!rest.IsEmpty)
            {
                WriteEscaped(rest[0]);
                rest = rest[1..];
            }
        }

        WriteByte((byte)'"');
    }

    private void WriteEscaped(char c)
    {
        switch (c)
        {
            case '"': WriteRaw("\\\""u8); break;
            case '\\': WriteRaw("\\\\"u8); break;
            case '\b': WriteRaw("\\b"u8); break;
            case '\t': WriteRaw("\\t"u8); break;
            case '\n': WriteRaw("\\n"u8); break;
            case '\f': WriteRaw("\\f"u8); break;
            case '\r': WriteRaw("\\r"u8); break;
            default:
                WriteRaw("\\u00"u8);
                WriteByte(HexDigits[c >> 4]);
                WriteByte(HexDigits[c & 0xF]);
                break;
        }
    }

    private void WriteUtf8(scoped ReadOnlySpan<char> text)
    {
        if (!Utf16Text.IsWellFormed(text))
        {
            throw new InvalidOperationException("A string to write is not valid UTF-16 (unpaired surrogate).");
        }

        int length = Encoding.UTF8.GetByteCount(text);
        if (_position + length <= _destination.Length)
        {
            Encoding.UTF8.GetBytes(text, _destination[_position..]);
        }

        _position += length;
    }

    private void WriteRaw(scoped ReadOnlySpan<byte> bytes)
    {
        if (_position + bytes.Length <= _destination.Length)
        {
            bytes.CopyTo(_destination[_position..]);
        }

        _position += bytes.Length;
    }

    private void WriteByte(byte value)
    {
        if (_position < _destination.Length)
        {
            _destination[_position] = value;
        }

        _position++;
    }
}
