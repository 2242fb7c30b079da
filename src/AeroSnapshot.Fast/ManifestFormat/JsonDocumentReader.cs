using System.Text.Json;
using System.Text.Unicode;

namespace AeroSnapshot.Fast.ManifestFormat;

/// <summary>
/// A strict reader for the small JSON documents of the snapshot contract, driven by generated
/// readers. It wraps <see cref="Utf8JsonReader"/> and adds what the contract needs and the
/// default reader does not do: every string and key is checked to be valid UTF-8, keys may not
/// repeat, the document must be one object with nothing after it, and every failure surfaces as
/// <see cref="ManifestFormatException"/> naming the field and the byte offset.
/// </summary>
internal ref struct JsonDocumentReader
{
    /// <summary>
    /// The largest document accepted: 64 MiB. A manifest of 100,000 schema files is about 10 MiB;
    /// anything larger is refused before it is read into memory.
    /// </summary>
    public const int MaxDocumentLength = 64 * 1024 * 1024;

    /// <summary>
    /// The most JSON bytes one character of a grammar-checked value can take: <c>\uXXXX</c>. The
    /// values are ASCII, so a value written with every character escaped (valid JSON, and read by
    /// serde_json in the reference) still fits the scratch space it is unescaped into.
    /// </summary>
    private const int MaxEscapedBytesPerChar = 6;

    private readonly string _documentName;
    private Utf8JsonReader _reader;
    private HashSet<string>? _unknownKeys;

    /// <summary>Starts reading <paramref name="utf8Json"/>, refusing it if it is too large.</summary>
    public JsonDocumentReader(ReadOnlySpan<byte> utf8Json, string documentName)
    {
        _documentName = documentName;
        _unknownKeys = null;
        if (utf8Json.Length > MaxDocumentLength)
        {
            throw new ManifestFormatException(
                $"{documentName}: {utf8Json.Length} bytes is over the {MaxDocumentLength}-byte limit.", null, 0);
        }

        _reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            MaxDepth = 64,
        });
    }

    /// <summary>Reads the opening brace of the document.</summary>
    public void ReadStartObject()
    {
        Advance(null);
        if (_reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail("the document is not a JSON object", null);
        }
    }

    /// <summary>
    /// Moves to the next key of the document object; false at its closing brace.
    /// </summary>
    public bool ReadNextProperty()
    {
        Advance(null);
        if (_reader.TokenType == JsonTokenType.EndObject)
        {
            return false;
        }

        CheckUtf8(null);
        return true;
    }

    /// <summary>True when the current key is <paramref name="utf8Name"/>.</summary>
    public readonly bool PropertyIs(ReadOnlySpan<byte> utf8Name) => _reader.ValueTextEquals(utf8Name);

    /// <summary>Records that <paramref name="field"/> was read, refusing it the second time.</summary>
    public readonly void MarkSeen(ref bool seen, string field)
    {
        if (seen)
        {
            throw Fail("the key appears twice", field);
        }

        seen = true;
    }

    /// <summary>Skips the value of a key the type does not know, after checking the key is not repeated.</summary>
    public void SkipUnknownValue()
    {
        string key = GetString(null);
        _unknownKeys ??= new HashSet<string>(StringComparer.Ordinal);
        if (!_unknownKeys.Add(key))
        {
            throw Fail("the key appears twice", key);
        }

        Advance(key);
        int depth = _reader.CurrentDepth;
        CheckUtf8(key);
        if (_reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            do
            {
                Advance(key);
                CheckUtf8(key);
            }
            while (_reader.CurrentDepth > depth);
        }
    }

    /// <summary>
    /// Consumes a <c>null</c> value and returns true, or leaves the reader where it was and returns false.
    /// </summary>
    public bool TryReadNull(string field)
    {
        Utf8JsonReader lookahead = _reader;
        try
        {
            if (lookahead.Read() && lookahead.TokenType == JsonTokenType.Null)
            {
                _reader = lookahead;
                return true;
            }
        }
        catch (JsonException)
        {
            // Reported with its position by the typed read that follows.
        }

        _ = field;
        return false;
    }

    /// <summary>Reads a string value.</summary>
    public string ReadString(string field)
    {
        Advance(field);
        Expect(JsonTokenType.String, field, "a string");
        return GetString(field);
    }

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    public bool ReadBoolean(string field)
    {
        Advance(field);
        return _reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw Fail($"expected true or false, found {Describe(_reader.TokenType)}", field),
        };
    }

    /// <summary>Reads an integer that fits in 32 bits.</summary>
    public int ReadInt32(string field)
    {
        Advance(field);
        Expect(JsonTokenType.Number, field, "an integer");
        return _reader.TryGetInt32(out int value) ? value : throw Fail("expected a 32-bit integer", field);
    }

    /// <summary>Reads an integer that fits in 64 bits.</summary>
    public long ReadInt64(string field)
    {
        Advance(field);
        Expect(JsonTokenType.Number, field, "an integer");
        return _reader.TryGetInt64(out long value) ? value : throw Fail("expected a 64-bit integer", field);
    }

    /// <summary>Reads an unsigned integer that fits in 64 bits.</summary>
    public ulong ReadUInt64(string field)
    {
        Advance(field);
        Expect(JsonTokenType.Number, field, "an unsigned integer");
        return _reader.TryGetUInt64(out ulong value) ? value : throw Fail("expected an unsigned 64-bit integer", field);
    }

    /// <summary>Reads a snapshot id (<c>YYYYMMDDTHHMMSSZ</c>).</summary>
    public SnapshotId ReadSnapshotId(string field)
    {
        Advance(field);
        Expect(JsonTokenType.String, field, "a snapshot id string");
        return SnapshotId.TryParse(ValueBytes(field, stackalloc byte[SnapshotId.Length * MaxEscapedBytesPerChar]), out SnapshotId id)
            ? id
            : throw Fail("expected a snapshot id YYYYMMDDTHHMMSSZ", field);
    }

    /// <summary>Reads an instant (<c>YYYY-MM-DDTHH:MM:SSZ</c>).</summary>
    public SnapshotInstant ReadSnapshotInstant(string field)
    {
        Advance(field);
        Expect(JsonTokenType.String, field, "an instant string");
        return SnapshotInstant.TryParse(ValueBytes(field, stackalloc byte[SnapshotInstant.Length * MaxEscapedBytesPerChar]), out SnapshotInstant value)
            ? value
            : throw Fail("expected a UTC instant YYYY-MM-DDTHH:MM:SSZ", field);
    }

    /// <summary>Reads a checksum (<c>crc32:</c> and eight hex digits).</summary>
    public Crc32Checksum ReadCrc32Checksum(string field)
    {
        Advance(field);
        Expect(JsonTokenType.String, field, "a checksum string");
        return ReadChecksumValue(field);
    }

    /// <summary>Reads an object of schema path → checksum, checking every path.</summary>
    public ChecksumMap ReadChecksumMap(string field)
    {
        Advance(field);
        Expect(JsonTokenType.StartObject, field, "an object");
        var entries = new List<ChecksumEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            Advance(field);
            if (_reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            string path = GetString(field);
            if (SchemaPath.Validate(path) is { } reason)
            {
                throw Fail($"key '{Printable(path)}' is not a plain relative path: {reason}", field);
            }

            if (!seen.Add(path))
            {
                throw Fail($"key '{Printable(path)}' appears twice", field);
            }

            Advance(field);
            Expect(JsonTokenType.String, field, "a checksum string");
            entries.Add(new ChecksumEntry(path, ReadChecksumValue(field)));
        }

        return entries.Count == 0 ? ChecksumMap.Empty : ChecksumMap.Create(entries);
    }

    /// <summary>Checks that the closing brace was the last thing in the document.</summary>
    public void ReadEndOfDocument()
    {
        try
        {
            if (_reader.Read())
            {
                throw Fail("there is more after the document object", null);
            }
        }
        catch (JsonException ex)
        {
            throw Fail(ex.Message, null, ex);
        }
    }

    /// <summary>The error for a required key that never appeared.</summary>
    public readonly ManifestFormatException MissingField(string field)
        => new($"{_documentName}: the required key '{field}' is missing.", field, _reader.BytesConsumed);

    /// <summary>The error for a value the type itself refuses after reading.</summary>
    public readonly ManifestFormatException Fail(string problem, string? field, Exception? inner = null)
    {
        string where = field is null ? string.Empty : $" in '{Printable(field)}'";
        return new ManifestFormatException(
            $"{_documentName}: {problem}{where} (at byte {_reader.TokenStartIndex}).", field, _reader.TokenStartIndex, inner);
    }

    private Crc32Checksum ReadChecksumValue(string field)
        => Crc32Checksum.TryParse(ValueBytes(field, stackalloc byte[Crc32Checksum.Length * MaxEscapedBytesPerChar]), out Crc32Checksum value)
            ? value
            : throw Fail("expected crc32: followed by 8 hex digits", field);

    /// <summary>
    /// The current string's unescaped bytes. <paramref name="scratch"/> holds the longest escaped
    /// form of a valid value, so a value longer than it cannot be valid: it is returned as-is and
    /// fails its grammar.
    /// </summary>
    private readonly ReadOnlySpan<byte> ValueBytes(string field, Span<byte> scratch)
    {
        if (!_reader.ValueIsEscaped)
        {
            return _reader.ValueSpan;
        }

        if (_reader.ValueSpan.Length > scratch.Length)
        {
            return _reader.ValueSpan;
        }

        try
        {
            int length = _reader.CopyString(scratch);
            return scratch[..length];
        }
        catch (InvalidOperationException ex)
        {
            throw Fail("the string is not valid UTF-8 or UTF-16", field, ex);
        }
    }

    private readonly string GetString(string? field)
    {
        try
        {
            CheckUtf8(field);
            return _reader.GetString() ?? throw Fail("expected a string", field);
        }
        catch (InvalidOperationException ex)
        {
            throw Fail("the string is not valid UTF-8 or UTF-16", field, ex);
        }
    }

    // Utf8JsonReader checks structure but leaves UTF-8 inside strings unchecked until a string is
    // materialised; the contract refuses invalid UTF-8 anywhere, read or skipped.
    private readonly void CheckUtf8(string? field)
    {
        if (_reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName
            && !_reader.ValueIsEscaped
            && !Utf8.IsValid(_reader.ValueSpan))
        {
            throw Fail("the text is not valid UTF-8", field);
        }

        if (_reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && _reader.ValueIsEscaped)
        {
            try
            {
                // Unescaping also catches invalid UTF-8 around escapes and unpaired \uD800-style escapes.
                _ = _reader.GetString();
            }
            catch (InvalidOperationException ex)
            {
                throw Fail("the string is not valid UTF-8 or UTF-16", field, ex);
            }
        }
    }

    private void Advance(string? field)
    {
        try
        {
            if (!_reader.Read())
            {
                throw Fail("the document ends too early", field);
            }
        }
        catch (JsonException ex)
        {
            throw Fail($"invalid JSON: {ex.Message}", field, ex);
        }
    }

    private readonly void Expect(JsonTokenType expected, string field, string what)
    {
        if (_reader.TokenType != expected)
        {
            throw Fail($"expected {what}, found {Describe(_reader.TokenType)}", field);
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    // Keys come from untrusted files; keep control characters out of messages and logs.
    private static string Printable(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001f') && text.Length <= 200)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(Math.Min(text.Length, 200));
        foreach (char c in text.AsSpan(0, Math.Min(text.Length, 200)))
        {
            builder.Append(c < ' ' ? '?' : c);
        }

        return text.Length > 200 ? builder.Append('…').ToString() : builder.ToString();
    }
}
