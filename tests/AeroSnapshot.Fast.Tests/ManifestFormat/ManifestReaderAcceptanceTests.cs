using System.Text;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// "Read any valid JSON of that shape": manifests written by other tools (or by hand) differ in
/// whitespace, key order, escapes and extra keys, and must all be read.
/// </summary>
public sealed class ManifestReaderAcceptanceTests
{
    private static void AssertIsSpecExample(string json) => Assert.Equal(Samples.SpecExample, SnapshotManifest.ReadUtf8(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Spec_example_is_read_into_its_values()
    {
        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(Samples.Utf8(Samples.SpecExampleJson));

        Assert.Equal("20260204T113000Z", manifest.SnapshotId.ToString());
        Assert.Equal(new DateTime(2026, 2, 4, 11, 30, 0, DateTimeKind.Utc), manifest.CreatedAt.UtcDateTime);
        Assert.Equal(0xdeadbeefu, manifest.StorageChecksum.Value);
        ChecksumEntry entry = Assert.Single(manifest.SchemaChecksums);
        Assert.Equal(new ChecksumEntry("user_v1.json", new Crc32Checksum(0xabcd1234)), entry);
        Assert.Equal(1, manifest.FormatVersion);
        Assert.Null(manifest.CommitBoundary);
    }

    [Theory]
    [InlineData("{\"snapshot_id\":\"20260204T113000Z\",\"created_at\":\"2026-02-04T11:30:00Z\",\"storage_checksum\":\"crc32:deadbeef\",\"schema_checksums\":{\"user_v1.json\":\"crc32:abcd1234\"},\"format_version\":1}")]
    [InlineData("\r\n\t { \"snapshot_id\" :\t\"20260204T113000Z\"\r\n,\"created_at\"\n:\n\"2026-02-04T11:30:00Z\" , \"storage_checksum\" : \"crc32:deadbeef\", \"schema_checksums\" : {  \"user_v1.json\"  :  \"crc32:abcd1234\"  } , \"format_version\" : 1 } \r\n\t ")]
    [InlineData("{\n    \"snapshot_id\": \"20260204T113000Z\",\n    \"created_at\": \"2026-02-04T11:30:00Z\",\n    \"storage_checksum\": \"crc32:deadbeef\",\n    \"schema_checksums\": {\n        \"user_v1.json\": \"crc32:abcd1234\"\n    },\n    \"format_version\": 1\n}\n")]
    public void Any_whitespace_is_accepted(string json) => AssertIsSpecExample(json);

    [Fact]
    public void Any_key_order_is_accepted()
    {
        string[] members =
        [
            "\"snapshot_id\": \"20260204T113000Z\"",
            "\"created_at\": \"2026-02-04T11:30:00Z\"",
            "\"storage_checksum\": \"crc32:deadbeef\"",
            "\"schema_checksums\": {\"user_v1.json\": \"crc32:abcd1234\"}",
            "\"format_version\": 1",
        ];

        // All 120 orders.
        foreach (string[] order in Permutations(members))
        {
            AssertIsSpecExample("{" + string.Join(",", order) + "}");
        }
    }

    [Fact]
    public void Schema_keys_in_any_order_read_into_the_same_map()
    {
        SnapshotManifest a = SnapshotManifest.ReadUtf8(Samples.Utf8(Samples.SpecWith("schema_checksums", "{\"b\": \"crc32:00000002\", \"a\": \"crc32:00000001\", \"\U0001F600\": \"crc32:00000003\", \"\uFF5E\": \"crc32:00000004\"}")));
        SnapshotManifest b = SnapshotManifest.ReadUtf8(Samples.Utf8(Samples.SpecWith("schema_checksums", "{\"\U0001F600\": \"crc32:00000003\", \"a\": \"crc32:00000001\", \"\uFF5E\": \"crc32:00000004\", \"b\": \"crc32:00000002\"}")));

        Assert.Equal(a, b);
        Assert.Equal(["a", "b", "\uFF5E", "\U0001F600"], a.SchemaChecksums.Select(e => e.Path));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("-1.5e300")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("\"text with \\\"escapes\\\" \\u00e9 \\ud83d\\ude00\"")]
    [InlineData("\"\"")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("[1, \"two\", [3, {\"four\": [null, true]}], {}]")]
    [InlineData("{\"snapshot_id\": \"not an id\", \"nested\": {\"format_version\": 99}}")]
    public void Unknown_keys_of_any_json_type_are_ignored(string rawValue)
    {
        AssertIsSpecExample(Samples.SpecWith("written_by", rawValue));
        AssertIsSpecExample("{\"first\": " + rawValue + ", " + Samples.SpecExampleJson[1..]);
    }

    [Fact]
    public void Several_different_unknown_keys_are_ignored()
    {
        AssertIsSpecExample("{\"a\": 1, \"b\": [2], " + Samples.SpecExampleJson[1..^1] + ", \"c\": {\"a\": 3}, \"A\": 4}");
    }

    [Fact]
    public void Unknown_key_that_differs_from_a_known_key_only_in_case_is_ignored()
    {
        AssertIsSpecExample(Samples.SpecWith("Snapshot_Id", "\"bogus\""));
    }

    [Theory]
    [InlineData("crc32:DEADBEEF")]
    [InlineData("crc32:DeadBeef")]
    public void Uppercase_hex_in_checksums_is_accepted(string checksum)
    {
        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(Samples.Utf8(Samples.SpecWith("storage_checksum", "\"" + checksum + "\"")));

        Assert.Equal(0xdeadbeefu, manifest.StorageChecksum.Value);
    }

    [Fact]
    public void Uppercase_hex_is_read_and_written_back_lowercase()
    {
        string json = Samples.SpecWith("schema_checksums", "{\"user_v1.json\": \"crc32:ABCD1234\"}").Replace("crc32:deadbeef", "crc32:DEADBEEF", StringComparison.Ordinal);

        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(Samples.Utf8(json));

        Assert.Equal(Samples.SpecExampleJson, Samples.WriteString(manifest));
    }

    [Fact]
    public void Mvcc_manifest_with_the_largest_commit_boundary_is_accepted()
    {
        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(Samples.Utf8(
            Samples.SpecWith("format_version", "2, \"commit_boundary\": 18446744073709551615")));

        Assert.Equal(2, manifest.FormatVersion);
        Assert.Equal(ulong.MaxValue, manifest.CommitBoundary);
    }

    [Fact]
    public void Commit_boundary_may_come_before_format_version()
    {
        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(Samples.Utf8(
            "{\"commit_boundary\": 0, " + Samples.SpecWith("format_version", "2")[1..]));

        Assert.Equal(0ul, manifest.CommitBoundary);
    }

    [Fact]
    public void Null_commit_boundary_reads_as_absent()
    {
        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(Samples.Utf8(Samples.SpecWith("commit_boundary", "null")));

        Assert.Null(manifest.CommitBoundary);
    }

    [Fact]
    public void Escaped_characters_in_keys_and_values_are_unescaped()
    {
        string json = "{\"snapshot\\u005Fid\": \"\\u0032\\u00302\\u00360204T113000Z\", \"created_at\": \"2026-02-04T11:30:00\\u005A\", " +
            "\"storage_checksum\": \"crc32\\u003adeadbeef\", \"schema_checksums\": {\"user_v1\\u002ejson\": \"crc32:abcd1234\"}, \"format_version\": 1}";

        AssertIsSpecExample(json);
    }

    [Fact]
    public void Escaped_forward_slash_in_a_schema_key_is_a_separator()
    {
        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(Samples.Utf8(Samples.SpecWithSchemaKey("dir\\/file.json")));

        Assert.Equal("dir/file.json", Assert.Single(manifest.SchemaChecksums).Path);
    }

    [Theory]
    [InlineData("\\\"quoted\\\".json", "\"quoted\".json")]
    [InlineData("tab\\there", "tab\there")]
    [InlineData("\\u0001\\u001f", "\u0001\u001f")]
    [InlineData("\\ud83d\\ude00/\\u00e9", "\U0001F600/\u00e9")]
    [InlineData("\U0001F600/\u00e9", "\U0001F600/\u00e9")]
    [InlineData("...", "...")]
    [InlineData(".hidden/..x/x..", ".hidden/..x/x..")]
    [InlineData(" ", " ")]
    [InlineData("\u007f", "\u007f")]
    public void Legal_but_unusual_schema_keys_are_accepted(string rawJsonKey, string expectedPath)
    {
        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(Samples.Utf8(Samples.SpecWithSchemaKey(rawJsonKey)));

        Assert.Equal(expectedPath, Assert.Single(manifest.SchemaChecksums).Path);
    }

    [Fact]
    public void A_long_deeply_nested_schema_path_is_accepted()
    {
        string path = string.Join('/', Enumerable.Repeat(new string('x', 255), 40));

        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(Samples.Utf8(Samples.SpecWithSchemaKey(path)));

        Assert.Equal(path, Assert.Single(manifest.SchemaChecksums).Path);
    }

    [Fact]
    public void Empty_schema_map_is_read_as_the_empty_map()
    {
        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(Samples.Utf8(Samples.SpecWith("schema_checksums", "{ }")));

        Assert.Same(ChecksumMap.Empty, manifest.SchemaChecksums);
    }

    [Fact]
    public void A_document_of_exactly_the_size_limit_is_accepted()
    {
        byte[] document = new byte[JsonDocumentReader.MaxDocumentLength];
        Array.Fill(document, (byte)'\n');
        Samples.Utf8(Samples.SpecExampleJson).CopyTo(document, 0);

        Assert.Equal(Samples.SpecExample, SnapshotManifest.ReadUtf8(document));
    }

    [Fact]
    public void Manifest_with_many_schema_entries_round_trips()
    {
        ChecksumMap map = ChecksumMap.Create(Enumerable.Range(0, 10_000).Select(i => new ChecksumEntry(
            $"dir{i % 100}/schema_{i}.json", new Crc32Checksum((uint)i))));
        SnapshotManifest manifest = SnapshotManifest.Create(SnapshotId.Parse("20260204T113000Z"), new Crc32Checksum(1), map);

        Assert.Equal(manifest, SnapshotManifest.ReadUtf8(Samples.Write(manifest)));
    }

    private static IEnumerable<string[]> Permutations(string[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (int i = 0; i < items.Length; i++)
        {
            string[] rest = [.. items[..i], .. items[(i + 1)..]];
            foreach (string[] tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}
