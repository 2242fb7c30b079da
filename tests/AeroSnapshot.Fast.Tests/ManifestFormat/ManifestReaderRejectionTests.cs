namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// A manifest is untrusted input read during recovery: every document the contract forbids must be
/// refused with <see cref="ManifestFormatException"/> (never another exception type, never silently
/// accepted), and the error must say which field and what was wrong.
/// </summary>
public sealed class ManifestReaderRejectionTests
{
    private const byte InvalidUtf8 = 0xFF;

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    [InlineData("{")]
    [InlineData("{\"snapshot_id\": }")]
    [InlineData("{\"snapshot_id\" \"20260204T113000Z\"}")]
    [InlineData("{'snapshot_id': '20260204T113000Z'}")]
    [InlineData("{snapshot_id: \"20260204T113000Z\"}")]
    [InlineData("{\"format_version\": 1,}")]
    [InlineData("{\"format_version\": 01}")]
    [InlineData("{\"format_version\": 1 /* comment */}")]
    [InlineData("{\"x\": NaN}")]
    [InlineData("{\"x\": [1, 2,]}")]
    [InlineData("{\"x\": \"unterminated}")]
    [InlineData("{\"x\": \"raw\ttab\"}")]
    [InlineData("{\"x\": \"bad \\q escape\"}")]
    public void Invalid_json_is_refused(string json)
    {
        ManifestFormatException error = Samples.Rejects(json);

        Assert.StartsWith("manifest.json: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_error_names_the_field_being_read()
    {
        ManifestFormatException error = Samples.Rejects("{\"created_at\": tru}");

        Assert.Equal("created_at", error.Field);
        Assert.Contains("invalid JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("1")]
    [InlineData("\"manifest\"")]
    [InlineData("true")]
    public void A_document_that_is_not_an_object_is_refused(string json)
    {
        ManifestFormatException error = Samples.Rejects(json);

        Assert.Null(error.Field);
        Assert.Contains("not a JSON object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_top_level_array_is_refused_even_when_it_holds_a_valid_manifest()
    {
        ManifestFormatException error = Samples.Rejects("[" + Samples.SpecExampleJson + "]");

        Assert.Contains("not a JSON object", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("{}")]
    [InlineData(" []")]
    [InlineData(",")]
    [InlineData("\n}")]
    [InlineData("0")]
    public void Anything_after_the_document_object_is_refused(string trailing)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecExampleJson + trailing);

        Assert.Null(error.Field);
    }

    [Fact]
    public void A_nul_byte_after_the_document_object_is_refused()
    {
        Samples.Rejects(Samples.Bytes(Samples.SpecExampleJson, (byte)0));
    }

    [Fact]
    public void A_byte_order_mark_is_refused()
    {
        // serde_json never writes one, and a BOM-prefixed file is not the bytes the checksum tooling expects.
        ManifestFormatException error = Samples.Rejects(Samples.Bytes(new byte[] { 0xEF, 0xBB, 0xBF }, Samples.SpecExampleJson));

        Assert.Null(error.Field);
    }

    [Fact]
    public void A_document_over_the_size_limit_is_refused_before_it_is_parsed()
    {
        // Valid JSON padded with whitespace: only the length can be the reason.
        byte[] document = new byte[JsonDocumentReader.MaxDocumentLength + 1];
        Array.Fill(document, (byte)' ');
        byte[] spec = Samples.Utf8(Samples.SpecExampleJson);
        spec.CopyTo(document, 0);

        ManifestFormatException error = Samples.Rejects(document);

        Assert.Null(error.Field);
        Assert.Contains("limit", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, error.BytePosition);
    }

    // ---- invalid UTF-8 and UTF-16 ----

    [Fact]
    public void Invalid_utf8_inside_a_string_value_is_refused()
    {
        byte[] document = Samples.Bytes("{\"snapshot_id\": \"20260204T11300", InvalidUtf8, "\"}");

        ManifestFormatException error = Samples.Rejects(document);

        Assert.Equal("snapshot_id", error.Field);
    }

    [Fact]
    public void Invalid_utf8_inside_a_schema_key_is_refused()
    {
        byte[] document = Samples.Utf8(Samples.SpecWithSchemaKey("user_v1.jsonXX"));
        int at = Array.IndexOf(document, (byte)'X');
        document[at] = InvalidUtf8;
        document[at + 1] = (byte)'x';

        ManifestFormatException error = Samples.Rejects(document);

        Assert.Equal("schema_checksums", error.Field);
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_inside_a_top_level_key_is_refused()
    {
        byte[] document = Samples.Bytes("{\"extra", InvalidUtf8, "\": 1, ", Samples.SpecExampleJson[1..]);

        ManifestFormatException error = Samples.Rejects(document);

        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_inside_a_nested_string_of_an_unknown_field_is_refused()
    {
        // The reader skips unknown fields, but a skipped field is still part of the file it vouches for.
        byte[] document = Samples.Bytes("{\"extra\": {\"list\": [1, {\"deep\": \"a", InvalidUtf8, "b\"}]}, ", Samples.SpecExampleJson[1..]);

        ManifestFormatException error = Samples.Rejects(document);

        Assert.Equal("extra", error.Field);
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_inside_a_key_of_an_unknown_field_object_is_refused()
    {
        byte[] document = Samples.Bytes("{\"extra\": {\"k", InvalidUtf8, "\": 1}, ", Samples.SpecExampleJson[1..]);

        ManifestFormatException error = Samples.Rejects(document);

        Assert.Equal("extra", error.Field);
    }

    [Fact]
    public void Invalid_utf8_inside_an_escaped_schema_key_is_refused()
    {
        // An escape sends the reader down its unescaping path, which must check the raw bytes too.
        byte[] document = Samples.Utf8(Samples.SpecWithSchemaKey("\\u0061XX"));
        document[Array.IndexOf(document, (byte)'X')] = InvalidUtf8;

        ManifestFormatException error = Samples.Rejects(document);

        Assert.Equal("schema_checksums", error.Field);
    }

    [Fact]
    public void Invalid_utf8_inside_an_escaped_string_of_an_unknown_field_is_refused()
    {
        byte[] document = Samples.Bytes("{\"extra\": [\"\\n", InvalidUtf8, "\"], ", Samples.SpecExampleJson[1..]);

        ManifestFormatException error = Samples.Rejects(document);

        Assert.Equal("extra", error.Field);
    }

    [Fact]
    public void Invalid_utf8_inside_an_escaped_checksum_value_is_refused()
    {
        byte[] document = Samples.Utf8(Samples.SpecWith("storage_checksum", "\"crc32:\\u0064eadbeeX\""));
        document[Array.IndexOf(document, (byte)'X')] = InvalidUtf8;

        ManifestFormatException error = Samples.Rejects(document);

        Assert.Equal("storage_checksum", error.Field);
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 0x80 })] // overlong NUL
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // UTF-8-encoded surrogate D800
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // above U+10FFFF
    [InlineData(new byte[] { 0xE2, 0x82 })] // truncated sequence
    [InlineData(new byte[] { 0x80 })] // lone continuation byte
    public void Malformed_utf8_sequences_in_a_schema_key_are_refused(byte[] sequence)
    {
        byte[] document = Samples.Bytes(
            "{\"snapshot_id\": \"20260204T113000Z\", \"created_at\": \"2026-02-04T11:30:00Z\", \"storage_checksum\": \"crc32:deadbeef\", \"schema_checksums\": {\"a",
            sequence,
            "b\": \"crc32:abcd1234\"}, \"format_version\": 1}");

        ManifestFormatException error = Samples.Rejects(document);

        Assert.Equal("schema_checksums", error.Field);
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udc00")]
    [InlineData("a\\ud83dz")]
    [InlineData("\\ude00\\ud83d")]
    public void Escaped_unpaired_surrogate_in_a_schema_key_is_refused(string escaped)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWithSchemaKey(escaped));

        Assert.Equal("schema_checksums", error.Field);
    }

    [Fact]
    public void Escaped_unpaired_surrogate_in_an_unknown_field_is_refused()
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith("comment", "\"\\ud800\""));

        Assert.Equal("comment", error.Field);
    }

    [Fact]
    public void Escaped_unpaired_surrogate_in_a_value_is_refused()
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith("storage_checksum", "\"crc32:\\ud800\""));

        Assert.Equal("storage_checksum", error.Field);
    }

    [Fact]
    public void Escaped_unpaired_surrogate_in_a_top_level_key_is_refused()
    {
        Samples.Rejects("{\"\\ud800\": 1, " + Samples.SpecExampleJson[1..]);
    }

    // ---- missing, mistyped and repeated fields ----

    [Theory]
    [InlineData("snapshot_id")]
    [InlineData("created_at")]
    [InlineData("storage_checksum")]
    [InlineData("schema_checksums")]
    [InlineData("format_version")]
    public void Missing_required_field_is_refused_and_named(string field)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith(field, null));

        Assert.Equal(field, error.Field);
        Assert.Contains($"'{field}' is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_object_is_refused_for_its_first_missing_field()
    {
        ManifestFormatException error = Samples.Rejects("{}");

        Assert.Equal("snapshot_id", error.Field);
    }

    [Theory]
    [InlineData("snapshot_id", "20260204113000")]
    [InlineData("snapshot_id", "null")]
    [InlineData("snapshot_id", "[\"20260204T113000Z\"]")]
    [InlineData("created_at", "1770204600")]
    [InlineData("created_at", "{}")]
    [InlineData("storage_checksum", "3735928559")]
    [InlineData("storage_checksum", "null")]
    [InlineData("schema_checksums", "[]")]
    [InlineData("schema_checksums", "null")]
    [InlineData("schema_checksums", "\"{}\"")]
    [InlineData("schema_checksums", "{\"a.json\": 1}")]
    [InlineData("schema_checksums", "{\"a.json\": null}")]
    [InlineData("schema_checksums", "{\"a.json\": {\"crc\": \"crc32:abcd1234\"}}")]
    [InlineData("format_version", "\"1\"")]
    [InlineData("format_version", "1.5")]
    [InlineData("format_version", "1.0")]
    [InlineData("format_version", "1e0")]
    [InlineData("format_version", "true")]
    [InlineData("format_version", "null")]
    [InlineData("format_version", "2147483648")]
    [InlineData("commit_boundary", "-1")]
    [InlineData("commit_boundary", "\"5\"")]
    [InlineData("commit_boundary", "1.5")]
    [InlineData("commit_boundary", "18446744073709551616")]
    [InlineData("commit_boundary", "true")]
    public void Mistyped_field_is_refused_and_named(string field, string rawValue)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith(field, rawValue));

        Assert.Equal(field, error.Field);
        Assert.Contains("expected", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("snapshot_id")]
    [InlineData("created_at")]
    [InlineData("storage_checksum")]
    [InlineData("schema_checksums")]
    [InlineData("format_version")]
    public void Duplicate_known_key_is_refused_even_with_the_same_value(string field)
    {
        string json = Samples.SpecExampleJson;
        int start = json.IndexOf($"\"{field}\"", StringComparison.Ordinal);
        int end = json.IndexOf(",\n", start, StringComparison.Ordinal);
        string member = end < 0 ? json[start..json.LastIndexOf('\n')] : json[start..end];
        string doubled = "{" + member + ", " + json[1..];

        ManifestFormatException error = Samples.Rejects(doubled);

        Assert.Equal(field, error.Field);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_commit_boundary_is_refused()
    {
        ManifestFormatException error = Samples.Rejects(
            Samples.SpecWith("format_version", "2, \"commit_boundary\": 1, \"commit_boundary\": 1"));

        Assert.Equal("commit_boundary", error.Field);
    }

    [Fact]
    public void Duplicate_key_spelled_with_an_escape_is_still_a_duplicate()
    {
        ManifestFormatException error = Samples.Rejects("{\"snapshot\\u005fid\": \"20260204T113000Z\", " + Samples.SpecExampleJson[1..]);

        Assert.Equal("snapshot_id", error.Field);
    }

    [Fact]
    public void Duplicate_unknown_key_is_refused()
    {
        ManifestFormatException error = Samples.Rejects("{\"extra\": 1, " + Samples.SpecExampleJson[1..^1] + ", \"extra\": [2]}");

        Assert.Equal("extra", error.Field);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_unknown_key_spelled_with_an_escape_is_refused()
    {
        ManifestFormatException error = Samples.Rejects("{\"extra\": 1, \"e\\u0078tra\": 2, " + Samples.SpecExampleJson[1..]);

        Assert.Equal("extra", error.Field);
    }

    [Fact]
    public void Duplicate_schema_key_is_refused()
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith(
            "schema_checksums", "{\"a.json\": \"crc32:00000000\", \"b.json\": \"crc32:00000000\", \"a.json\": \"crc32:00000000\"}"));

        Assert.Equal("schema_checksums", error.Field);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_schema_key_spelled_with_an_escape_is_refused()
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith(
            "schema_checksums", "{\"a.json\": \"crc32:00000000\", \"\\u0061.json\": \"crc32:00000000\"}"));

        Assert.Equal("schema_checksums", error.Field);
    }

    // ---- format version ----

    [Theory]
    [InlineData("0")]
    [InlineData("3")]
    [InlineData("-1")]
    [InlineData("2147483647")]
    public void Unsupported_format_version_is_refused(string version)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith("format_version", version));

        Assert.Equal("format_version", error.Field);
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
    }

    // ---- value grammars ----

    [Theory]
    [InlineData("")]
    [InlineData("20260204T113000")]
    [InlineData("20260204T113000ZZ")]
    [InlineData("20260204t113000Z")]
    [InlineData("20260204T113000z")]
    [InlineData("20260204 113000Z")]
    [InlineData("2026-02-04T11:30:00Z")]
    [InlineData("20260230T000000Z")] // 30 February
    [InlineData("20250229T000000Z")] // not a leap year
    [InlineData("20261301T000000Z")]
    [InlineData("20260100T000000Z")]
    [InlineData("20260204T240000Z")]
    [InlineData("20260204T116000Z")]
    [InlineData("20260204T113060Z")] // no leap seconds
    [InlineData("00000101T000000Z")]
    [InlineData("+0260204T113000Z")]
    [InlineData("2026020AT113000Z")]
    [InlineData("\\u0032026020AT113000Z")]
    [InlineData("２0260204T113000Z")] // a full-width digit
    public void Malformed_snapshot_id_is_refused(string id)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith("snapshot_id", "\"" + id + "\""));

        Assert.Equal("snapshot_id", error.Field);
        Assert.Contains("YYYYMMDDTHHMMSSZ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2026-02-04T11:30:00")]
    [InlineData("2026-02-04 11:30:00Z")]
    [InlineData("2026-02-04t11:30:00Z")]
    [InlineData("2026-02-04T11:30:00z")]
    [InlineData("2026-02-04T11:30:00.000Z")]
    [InlineData("2026-02-04T11:30:00+00:00")]
    [InlineData("2026-02-04T11:30Z")]
    [InlineData("20260204T113000Z")]
    [InlineData("2026-02-30T00:00:00Z")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-02-04T25:00:00Z")]
    [InlineData("2026/02/04T11:30:00Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    public void Malformed_created_at_is_refused(string instant)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith("created_at", "\"" + instant + "\""));

        Assert.Equal("created_at", error.Field);
        Assert.Contains("YYYY-MM-DDTHH:MM:SSZ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("crc32:deadbee")] // 7 digits
    [InlineData("crc32:deadbeef0")] // 9 digits
    [InlineData("deadbeef")] // no prefix
    [InlineData("crc32deadbeef")]
    [InlineData("crc32:")]
    [InlineData("")]
    [InlineData("CRC32:deadbeef")]
    [InlineData("crc64:deadbeef")]
    [InlineData("crc32:deadbeeg")]
    [InlineData("crc32: deadbee")]
    [InlineData("crc32:+eadbeef")]
    [InlineData("crc32:0xdeadbe")]
    [InlineData("crc32:dead beef")]
    [InlineData("crc32:ｄeadbeef")] // full-width letter
    public void Malformed_checksum_is_refused_in_storage_checksum(string checksum)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith("storage_checksum", "\"" + checksum + "\""));

        Assert.Equal("storage_checksum", error.Field);
        Assert.Contains("crc32:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("crc32:abcd123")]
    [InlineData("crc32:abcd12345")]
    [InlineData("abcd1234")]
    public void Malformed_checksum_is_refused_in_schema_checksums(string checksum)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith("schema_checksums", "{\"user_v1.json\": \"" + checksum + "\"}"));

        Assert.Equal("schema_checksums", error.Field);
    }

    // ---- schema keys that could name a file outside schemas/ ----

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("/a", "absolute")]
    [InlineData("a/../../b", "'..'")]
    [InlineData("../x", "'..'")]
    [InlineData("..", "'..'")]
    [InlineData("a/..", "'..'")]
    [InlineData(".", "'.'")]
    [InlineData("a/./b", "'.'")]
    [InlineData("./a", "'.'")]
    [InlineData("a\\u0000b", "NUL")]
    [InlineData("a/", "ends with '/'")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a\\/\\/b", "empty segment")]
    [InlineData("\\u002fetc", "absolute")]
    [InlineData("\\u002e\\u002e/x", "'..'")]
    public void Schema_key_that_is_not_a_plain_relative_path_is_refused(string rawJsonKey, string reason)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWithSchemaKey(rawJsonKey));

        Assert.Equal("schema_checksums", error.Field);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_message_for_a_schema_key_does_not_carry_control_characters_into_logs()
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWithSchemaKey("a\\u0000\\n\\u001b[31m/../b"));

        Assert.DoesNotContain(error.Message, c => c < ' ');
    }

    [Fact]
    public void Nesting_deeper_than_the_reader_allows_is_refused()
    {
        string deep = new string('[', 100) + new string(']', 100);

        ManifestFormatException error = Samples.Rejects("{\"extra\": " + deep + ", " + Samples.SpecExampleJson[1..]);

        Assert.Equal("extra", error.Field);
    }

    [Fact]
    public void Error_reports_the_byte_offset_of_the_offending_token()
    {
        string json = Samples.SpecWith("storage_checksum", "\"crc32:nothex!!\"");

        ManifestFormatException error = Samples.Rejects(json);

        Assert.Equal(json.IndexOf("\"crc32:nothex!!\"", StringComparison.Ordinal), error.BytePosition);
    }
}
