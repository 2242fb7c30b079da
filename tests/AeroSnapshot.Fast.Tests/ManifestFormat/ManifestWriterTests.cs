using System.Buffers;
using System.Text;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// The writer must produce exactly the bytes <c>serde_json::to_string_pretty</c> produces, so the
/// same snapshot is the same manifest whichever implementation wrote it.
/// </summary>
public sealed class ManifestWriterTests
{
    private static SnapshotManifest WithSchemas(params string[] paths) => SnapshotManifest.Create(
        SnapshotId.Parse("20260204T113000Z"),
        new Crc32Checksum(0xdeadbeef),
        ChecksumMap.Create(paths.Select((p, i) => new ChecksumEntry(p, new Crc32Checksum((uint)i)))));

    [Fact]
    public void Spec_example_is_written_byte_for_byte_like_serde_json()
    {
        byte[] written = Samples.Write(Samples.SpecExample);

        Assert.Equal(Samples.SpecExampleJson, Encoding.UTF8.GetString(written));
        Assert.Equal(Encoding.UTF8.GetBytes(Samples.SpecExampleJson), written);
    }

    [Fact]
    public void Output_has_no_trailing_newline_and_no_byte_order_mark()
    {
        byte[] written = Samples.Write(Samples.SpecExample);

        Assert.Equal((byte)'{', written[0]);
        Assert.Equal((byte)'}', written[^1]);
    }

    [Fact]
    public void Empty_schema_map_is_written_as_an_empty_object_on_one_line()
    {
        SnapshotManifest manifest = SnapshotManifest.Create(SnapshotId.Parse("20260204T113000Z"), new Crc32Checksum(0), ChecksumMap.Empty);

        Assert.Equal(
            "{\n" +
            "  \"snapshot_id\": \"20260204T113000Z\",\n" +
            "  \"created_at\": \"2026-02-04T11:30:00Z\",\n" +
            "  \"storage_checksum\": \"crc32:00000000\",\n" +
            "  \"schema_checksums\": {},\n" +
            "  \"format_version\": 1\n" +
            "}",
            Samples.WriteString(manifest));
    }

    [Fact]
    public void Mvcc_manifest_writes_commit_boundary_last()
    {
        SnapshotManifest manifest = new()
        {
            SnapshotId = SnapshotId.Parse("20260204T113000Z"),
            CreatedAt = SnapshotInstant.Parse("2026-02-04T11:30:00Z"),
            StorageChecksum = new Crc32Checksum(0xdeadbeef),
            SchemaChecksums = ChecksumMap.Empty,
            FormatVersion = SnapshotManifest.MvccFormatVersion,
            CommitBoundary = ulong.MaxValue,
        };

        Assert.Equal(
            "{\n" +
            "  \"snapshot_id\": \"20260204T113000Z\",\n" +
            "  \"created_at\": \"2026-02-04T11:30:00Z\",\n" +
            "  \"storage_checksum\": \"crc32:deadbeef\",\n" +
            "  \"schema_checksums\": {},\n" +
            "  \"format_version\": 2,\n" +
            "  \"commit_boundary\": 18446744073709551615\n" +
            "}",
            Samples.WriteString(manifest));
    }

    [Fact]
    public void Schema_keys_are_written_in_code_point_order_not_insertion_order()
    {
        // U+FF5E (a BMP character above the surrogates) sorts before U+1F600 by code point but after it by UTF-16 unit.
        SnapshotManifest manifest = WithSchemas("b.json", "\U0001F600.json", "a/z.json", "\uFF5E.json", "a.json", "B.json");

        string json = Samples.WriteString(manifest);

        string[] expectedOrder = ["B.json", "a.json", "a/z.json", "b.json", "\uFF5E.json", "\U0001F600.json"];
        int[] positions = [.. expectedOrder.Select(k => json.IndexOf("\"" + k + "\"", StringComparison.Ordinal))];
        Assert.All(positions, p => Assert.True(p > 0));
        Assert.Equal(positions.Order(), positions);
    }

    [Theory]
    [InlineData("quote\"d.json", "quote\\\"d.json")]
    [InlineData("tab\there", "tab\\there")]
    [InlineData("line\nfeed", "line\\nfeed")]
    [InlineData("carriage\rreturn", "carriage\\rreturn")]
    [InlineData("back\bspace", "back\\bspace")]
    [InlineData("form\ffeed", "form\\ffeed")]
    [InlineData("bell\u0007", "bell\\u0007")]
    [InlineData("vt\u000b", "vt\\u000b")]
    [InlineData("esc\u001b", "esc\\u001b")]
    [InlineData("unit\u001f", "unit\\u001f")]
    [InlineData("soh\u0001", "soh\\u0001")]
    public void Control_characters_and_quotes_are_escaped_like_serde_json(string path, string expectedJsonKey)
    {
        string json = Samples.WriteString(WithSchemas(path));

        Assert.Contains("\n    \"" + expectedJsonKey + "\": \"crc32:00000000\"\n", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("del\u007f.json")]
    [InlineData("caf\u00e9.json")]
    [InlineData("\u65e5\u672c\u8a9e/\u30b9\u30ad\u30fc\u30de.json")]
    [InlineData("\U0001F600/emoji.json")]
    [InlineData("line\u2028separator.json")]
    [InlineData("html<&>'.json")]
    [InlineData("\uFEFFbom-in-name.json")]
    public void Non_ascii_delete_and_html_characters_are_written_raw(string path)
    {
        byte[] json = Samples.Write(WithSchemas(path));

        byte[] raw = Encoding.UTF8.GetBytes("\"" + path + "\": ");
        Assert.True(json.AsSpan().IndexOf(raw) > 0, "the key should appear as raw UTF-8, without \\u escapes");
    }

    [Fact]
    public void Backslash_is_escaped_wherever_a_string_is_written()
    {
        // Schema paths may not contain a backslash, so this exercises the writer's escaping directly.
        byte[] buffer = new byte[64];
        var writer = new JsonPrettyWriter(buffer);
        writer.WriteStartObject();
        writer.WritePropertyName("a\\b");
        writer.WriteValue("c\\\"d");
        writer.WriteEndObject();

        Assert.True(writer.Fits);
        Assert.Equal("{\n  \"a\\\\b\": \"c\\\\\\\"d\"\n}", Encoding.UTF8.GetString(buffer, 0, writer.BytesNeeded));
    }

    [Fact]
    public void Nested_objects_indent_two_spaces_per_level()
    {
        byte[] buffer = new byte[128];
        var writer = new JsonPrettyWriter(buffer);
        writer.WriteStartObject();
        writer.WritePropertyName("outer"u8);
        writer.WriteStartObject();
        writer.WritePropertyName("inner"u8);
        writer.WriteStartObject();
        writer.WriteEndObject();
        writer.WritePropertyName("n"u8);
        writer.WriteValue(-1L);
        writer.WriteEndObject();
        writer.WritePropertyName("t"u8);
        writer.WriteValue(true);
        writer.WriteEndObject();

        Assert.Equal(
            "{\n  \"outer\": {\n    \"inner\": {},\n    \"n\": -1\n  },\n  \"t\": true\n}",
            Encoding.UTF8.GetString(buffer, 0, writer.BytesNeeded));
    }

    [Fact]
    public void Writing_a_string_with_an_unpaired_surrogate_is_refused_rather_than_written_as_replacement()
    {
        // ChecksumMap refuses such keys up front; the writer is the last line of defence.
        byte[] buffer = new byte[64];
        var writer = new JsonPrettyWriter(buffer);
        writer.WriteStartObject();

        bool threw = false;
        try
        {
            writer.WriteValue("bad\uD800");
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw);
    }

    [Fact]
    public void GetUtf8ByteCount_equals_the_bytes_written()
    {
        SnapshotManifest manifest = WithSchemas("a.json", "caf\u00e9/\U0001F600.json", "q\"uote\u0001.json");

        byte[] buffer = new byte[4096];
        Assert.True(manifest.TryWriteUtf8(buffer, out int written));

        Assert.Equal(manifest.GetUtf8ByteCount(), written);
    }

    [Fact]
    public void TryWriteUtf8_into_a_buffer_of_exactly_the_right_size_succeeds()
    {
        byte[] buffer = new byte[Samples.SpecExample.GetUtf8ByteCount()];

        Assert.True(Samples.SpecExample.TryWriteUtf8(buffer, out int written));
        Assert.Equal(buffer.Length, written);
        Assert.Equal(Samples.SpecExampleJson, Encoding.UTF8.GetString(buffer));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(60)]
    [InlineData(-1)]
    public void TryWriteUtf8_into_a_too_small_buffer_returns_false_and_writes_nothing_past_its_end(int lengthOrShortfall)
    {
        int needed = Samples.SpecExample.GetUtf8ByteCount();
        int length = lengthOrShortfall >= 0 ? lengthOrShortfall : needed + lengthOrShortfall;
        byte[] backing = new byte[needed + 16];
        Array.Fill(backing, (byte)0xAA);

        bool ok = Samples.SpecExample.TryWriteUtf8(backing.AsSpan(0, length), out int written);

        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.All(backing[length..], b => Assert.Equal(0xAA, b));
    }

    [Fact]
    public void WriteUtf8_to_a_buffer_writer_gives_the_same_bytes_as_TryWriteUtf8()
    {
        SnapshotManifest manifest = WithSchemas("a.json", "b/c.json", "\U0001F600.json");
        var output = new ArrayBufferWriter<byte>(1);
        output.Write("prefix"u8);

        manifest.WriteUtf8(output);

        Assert.Equal([.. "prefix"u8, .. Samples.Write(manifest)], output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Checksums_are_written_as_eight_lowercase_hex_digits_with_leading_zeros()
    {
        SnapshotManifest manifest = SnapshotManifest.Create(
            SnapshotId.Parse("20260204T113000Z"),
            new Crc32Checksum(0xA),
            ChecksumMap.Create([new ChecksumEntry("x", new Crc32Checksum(0xABCDEF01))]));

        string json = Samples.WriteString(manifest);

        Assert.Contains("\"storage_checksum\": \"crc32:0000000a\"", json, StringComparison.Ordinal);
        Assert.Contains("\"x\": \"crc32:abcdef01\"", json, StringComparison.Ordinal);
    }
}
