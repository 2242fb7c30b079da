using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.ManifestFormat;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// What the reader says when it refuses a document, and the corners of what it accepts. An
/// operator reading "snapshot 20260204T113000Z is corrupt" needs the field, the expected and the
/// found kind of value, and the byte offset; and a key from an untrusted file must not put control
/// characters or a megabyte of text into a log line. Found by the mutation run of issue #17: the
/// rejection tests checked that a document was refused, not why, so a missing type check (the
/// grammar check after it still refused) or an emptied message failed no test, and a trailing comma
/// was only ever tried in documents that were refused for a missing field anyway.
/// </summary>
public sealed class ManifestReaderMessageTests
{
    [Theory]
    [InlineData("snapshot_id", "5", "expected a snapshot id string, found a number")]
    [InlineData("created_at", "[]", "expected an instant string, found an array")]
    [InlineData("storage_checksum", "{}", "expected a checksum string, found an object")]
    [InlineData("schema_checksums", "\"x\"", "expected an object, found a string")]
    [InlineData("schema_checksums", "{\"a.json\": true}", "expected a checksum string, found a boolean")]
    [InlineData("schema_checksums", "{\"a.json\": null}", "expected a checksum string, found null")]
    [InlineData("format_version", "\"1\"", "expected an integer, found a string")]
    [InlineData("format_version", "1.5", "expected a 32-bit integer")]
    [InlineData("commit_boundary", "-1", "expected an unsigned 64-bit integer")]
    [InlineData("commit_boundary", "false", "expected an unsigned integer, found a boolean")]
    public void A_value_of_the_wrong_kind_is_named_with_its_field_and_what_was_found(string key, string rawValue, string expected)
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith(key, rawValue));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains($" in '{key}' (at byte ", error.Message, StringComparison.Ordinal);
        Assert.Equal(key, error.Field);
        Assert.StartsWith("manifest.json: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_boolean_field_refuses_anything_but_true_or_false_naming_what_it_found()
    {
        string marker = "{\"snapshot_id\": \"20260204T113000Z\", \"created_at\": \"2026-02-04T11:30:00Z\", \"wal_truncated\": 1}";

        ManifestFormatException error = Assert.Throws<ManifestFormatException>(() => CheckpointMarker.ReadUtf8(Samples.Utf8(marker)));

        Assert.Contains("expected true or false, found a number in 'wal_truncated'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_field_refuses_a_number_naming_it()
    {
        string manifest = "{\"backup_id\": 7, \"created_at\": \"2026-02-04T11:30:00Z\", \"snapshot_id\": \"20260204T113000Z\", \"wal_present\": true, \"format_version\": 1}";

        ManifestFormatException error = Assert.Throws<ManifestFormatException>(() => BackupManifest.ReadUtf8(Samples.Utf8(manifest)));

        Assert.Contains("in 'backup_id'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  \"format_version\": 1\n}", "  \"format_version\": 1,\n}")]
    [InlineData("\"user_v1.json\": \"crc32:abcd1234\"\n", "\"user_v1.json\": \"crc32:abcd1234\",\n")]
    public void A_trailing_comma_in_an_otherwise_complete_manifest_is_refused(string original, string withComma)
    {
        string json = Samples.SpecExampleJson.Replace(original, withComma, StringComparison.Ordinal);
        Assert.NotEqual(Samples.SpecExampleJson, json);

        Assert.Contains("invalid JSON", Samples.Rejects(json).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trailing_comma_inside_an_unknown_keys_array_is_refused()
        => Assert.Contains("invalid JSON", Samples.Rejects(Samples.SpecWith("extra", "[1, 2,]")).Message, StringComparison.Ordinal);

    [Fact]
    public void Grammar_checked_values_written_with_escapes_are_read_as_their_unescaped_text()
    {
        // Valid JSON that serde_json (the reference) reads: every character of each value escaped,
        // the longest way to write it; and a few escaped.
        string json = Samples.SpecExampleJson
            .Replace("\"20260204T113000Z\"", Escaped("20260204T113000Z"), StringComparison.Ordinal)
            .Replace("\"2026-02-04T11:30:00Z\"", "\"\\u0032\\u0030\\u0032\\u0036-02-04T11:30:00Z\"", StringComparison.Ordinal)
            .Replace("\"crc32:deadbeef\"", Escaped("crc32:deadbeef"), StringComparison.Ordinal)
            .Replace("\"crc32:abcd1234\"", Escaped("crc32:abcd1234"), StringComparison.Ordinal);

        Assert.Equal(Samples.SpecExample, SnapshotManifest.ReadUtf8(Samples.Utf8(json)));
        Assert.Equal(
            SnapshotInstant.Parse("2026-02-04T11:30:00Z"),
            SnapshotManifest.ReadUtf8(Samples.Utf8(Samples.SpecWith("created_at", Escaped("2026-02-04T11:30:00Z")))).CreatedAt);
    }

    [Fact]
    public void A_value_longer_than_any_escaped_form_of_a_valid_one_is_refused_by_its_grammar()
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith("created_at", Escaped("2026-02-04T11:30:00Z") [..^1] + "\\u0020\""));

        Assert.Contains("expected a UTC instant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_about_the_whole_document_names_no_field()
        => Assert.Equal("manifest.json: the document is not a JSON object (at byte 0).", Samples.Rejects("[]").Message);

    [Fact]
    public void A_refused_key_keeps_its_spaces_in_the_message()
        => Assert.Contains("key '../a b' is not", Samples.Rejects(Samples.SpecWithSchemaKey("../a b")).Message, StringComparison.Ordinal);

    [Fact]
    public void A_refused_key_of_exactly_200_characters_with_a_control_character_is_quoted_without_an_ellipsis()
    {
        string key = "../\\u0001" + new string('k', 196);

        string message = Samples.Rejects(Samples.SpecWithSchemaKey(key)).Message;

        Assert.Contains("key '../?" + new string('k', 196) + "' is not", message, StringComparison.Ordinal);
    }

    /// <summary>A JSON string literal of <paramref name="text"/> with every character written as <c>\uXXXX</c>.</summary>
    private static string Escaped(string text)
        => "\"" + string.Concat(text.Select(static c => $"\\u{(int)c:x4}")) + "\"";

    [Fact]
    public void An_escaped_lone_surrogate_in_a_grammar_checked_value_is_refused_as_invalid_text()
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWith("snapshot_id", "\"2026\\ud80004T113000Z\""));

        Assert.Contains("not valid UTF-8 or UTF-16 in 'snapshot_id'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_in_a_plain_key_is_named_as_such()
    {
        ManifestFormatException error = Samples.Rejects(WithByteInSchemaKey("a", 0xff, ".json"));

        Assert.Contains("the text is not valid UTF-8 in 'schema_checksums'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_in_a_key_with_escapes_is_named_as_invalid_text()
    {
        ManifestFormatException error = Samples.Rejects(WithByteInSchemaKey("a\\u0041", 0xff, ".json"));

        Assert.Contains("not valid UTF-8 or UTF-16 in 'schema_checksums'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_key_is_quoted_with_control_characters_replaced()
    {
        ManifestFormatException error = Samples.Rejects(Samples.SpecWithSchemaKey("../a\\u0001b\\u001fc"));

        Assert.Contains("key '../a?b?c' is not a plain relative path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_key_longer_than_200_characters_is_cut_at_200_with_an_ellipsis()
    {
        string key = "../" + new string('k', 300);

        ManifestFormatException error = Samples.Rejects(Samples.SpecWithSchemaKey(key));

        Assert.Contains($"key '{key[..200]}…' is not", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_key_of_exactly_200_characters_is_quoted_whole()
    {
        string key = "../" + new string('k', 197);

        ManifestFormatException error = Samples.Rejects(Samples.SpecWithSchemaKey(key));

        Assert.Contains($"key '{key}' is not", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_made_without_a_position_says_minus_one()
    {
        Assert.Equal(-1, new ManifestFormatException().BytePosition);
        Assert.Equal(-1, new ManifestFormatException("m").BytePosition);
        Assert.Equal(-1, new ManifestFormatException("m", new IOException()).BytePosition);
    }

    /// <summary>The spec example with one schema key made of <paramref name="before"/>, a raw byte, and <paramref name="after"/>.</summary>
    private static byte[] WithByteInSchemaKey(string before, byte raw, string after)
    {
        string[] halves = Samples.SpecWithSchemaKey(before + "\u0000" + after).Split('\u0000');
        return Samples.Bytes(halves[0], raw, halves[1]);
    }
}
