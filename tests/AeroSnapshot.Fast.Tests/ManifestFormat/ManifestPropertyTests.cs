using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// Properties over arbitrary valid manifests: the writer's output is what serde_json would write,
/// is deterministic, is understood by an independent JSON parser, and reads back to the same value.
/// </summary>
public sealed class ManifestPropertyTests
{
    private const long Iterations = 400;

    [Fact]
    public void Write_then_read_gives_back_the_same_manifest()
    {
        ManifestGen.Manifest.Sample(
            manifest => Assert.Equal(manifest, SnapshotManifest.ReadUtf8(Samples.Write(manifest))),
            iter: Iterations,
            print: ManifestGen.Print);
    }

    [Fact]
    public void Writing_twice_gives_identical_bytes_through_every_write_api()
    {
        ManifestGen.Manifest.Sample(
            manifest =>
            {
                byte[] first = Samples.Write(manifest);
                byte[] second = Samples.Write(manifest);
                var bufferWriter = new ArrayBufferWriter<byte>();
                manifest.WriteUtf8(bufferWriter);

                Assert.Equal(first, second);
                Assert.Equal(first, bufferWriter.WrittenSpan.ToArray());
                Assert.Equal(first.Length, manifest.GetUtf8ByteCount());
            },
            iter: Iterations,
            print: ManifestGen.Print);
    }

    [Fact]
    public void Output_equals_an_independent_model_of_serde_json_to_string_pretty()
    {
        ManifestGen.Manifest.Sample(
            manifest => Assert.Equal(SerdePrettyModel(manifest), Encoding.UTF8.GetString(Samples.Write(manifest))),
            iter: Iterations,
            print: ManifestGen.Print);
    }

    [Fact]
    public void System_Text_Json_parses_the_output_into_the_same_values_in_contract_order()
    {
        ManifestGen.Manifest.Sample(
            manifest =>
            {
                using JsonDocument document = JsonDocument.Parse(Samples.Write(manifest));
                JsonElement root = document.RootElement;

                string[] expectedKeys = manifest.CommitBoundary is null
                    ? ["snapshot_id", "created_at", "storage_checksum", "schema_checksums", "format_version"]
                    : ["snapshot_id", "created_at", "storage_checksum", "schema_checksums", "format_version", "commit_boundary"];
                Assert.Equal(expectedKeys, root.EnumerateObject().Select(p => p.Name));
                Assert.Equal(manifest.SnapshotId.ToString(), root.GetProperty("snapshot_id").GetString());
                Assert.Equal(manifest.CreatedAt.ToString(), root.GetProperty("created_at").GetString());
                Assert.Equal(manifest.StorageChecksum.ToString(), root.GetProperty("storage_checksum").GetString());
                Assert.Equal(manifest.FormatVersion, root.GetProperty("format_version").GetInt32());
                if (manifest.CommitBoundary is { } boundary)
                {
                    Assert.Equal(boundary, root.GetProperty("commit_boundary").GetUInt64());
                }

                // Keys must come out in Unicode code point order (a Rust BTreeMap's order), which is
                // the order of their UTF-8 bytes; computed here without SchemaPath.CompareCodePoints.
                string[] expectedPaths = [.. manifest.SchemaChecksums.Select(e => e.Path).Order(Utf8ByteOrder.Instance)];
                JsonProperty[] schemas = [.. root.GetProperty("schema_checksums").EnumerateObject()];
                Assert.Equal(expectedPaths, schemas.Select(p => p.Name));
                foreach (JsonProperty schema in schemas)
                {
                    Assert.True(manifest.SchemaChecksums.TryGetValue(schema.Name, out Crc32Checksum checksum));
                    Assert.Equal(checksum.ToString(), schema.Value.GetString());
                }
            },
            iter: Iterations,
            print: ManifestGen.Print);
    }

    [Fact]
    public void Reformatted_reordered_and_escaped_copies_read_as_the_same_manifest()
    {
        // Metamorphic: System.Text.Json re-writes the document with \uXXXX escapes for everything
        // non-ASCII (uppercase hex, surrogate pairs escaped), optional indentation, shuffled keys
        // and an extra unknown key; the reader must see the same manifest.
        Gen.Select(ManifestGen.Manifest, Gen.Bool, Gen.Int).Sample(
            (manifest, indented, seed) =>
            {
                byte[] rewritten = Rewrite(Samples.Write(manifest), indented, new Random(seed));
                Assert.Equal(manifest, SnapshotManifest.ReadUtf8(rewritten));
            },
            iter: Iterations,
            print: t => ManifestGen.Print(t.Item1));
    }

    [Fact]
    public void Schema_map_lookup_finds_every_entry_and_nothing_else()
    {
        Gen.Select(ManifestGen.SchemaChecksums, ManifestGen.SchemaPath).Sample(
            (map, probe) =>
            {
                foreach (ChecksumEntry entry in map)
                {
                    Assert.True(map.TryGetValue(entry.Path, out Crc32Checksum found));
                    Assert.Equal(entry.Checksum, found);
                }

                bool present = map.Any(e => e.Path == probe);
                Assert.Equal(present, map.TryGetValue(probe, out _));
            },
            iter: Iterations);
    }

    private static byte[] Rewrite(byte[] json, bool indented, Random random)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = indented }))
        {
            writer.WriteStartObject();
            JsonProperty[] members = [.. document.RootElement.EnumerateObject(), .. JsonDocument.Parse("{\"written_by\":[\"other\",{\"v\":1}]}").RootElement.EnumerateObject()];
            random.Shuffle(members);
            foreach (JsonProperty member in members)
            {
                if (member.Name == "schema_checksums")
                {
                    writer.WritePropertyName(member.Name);
                    writer.WriteStartObject();
                    JsonProperty[] schemas = [.. member.Value.EnumerateObject()];
                    random.Shuffle(schemas);
                    foreach (JsonProperty schema in schemas)
                    {
                        // Checksums in uppercase too: readers must take either case.
                        writer.WriteString(schema.Name, schema.Value.GetString()!.ToUpperInvariant().Replace("CRC32:", "crc32:", StringComparison.Ordinal));
                    }

                    writer.WriteEndObject();
                }
                else
                {
                    member.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// What serde_json 1.x's <c>to_string_pretty</c> writes for the manifest struct, written out
    /// from its documented rules rather than through <see cref="JsonPrettyWriter"/>.
    /// </summary>
    internal static string SerdePrettyModel(SnapshotManifest manifest)
    {
        var json = new StringBuilder();
        json.Append("{\n");
        json.Append("  \"snapshot_id\": ").Append(Quote(manifest.SnapshotId.ToString())).Append(",\n");
        json.Append("  \"created_at\": ").Append(Quote(manifest.CreatedAt.ToString())).Append(",\n");
        json.Append("  \"storage_checksum\": ").Append(Quote(manifest.StorageChecksum.ToString())).Append(",\n");
        json.Append("  \"schema_checksums\": ");
        if (manifest.SchemaChecksums.Count == 0)
        {
            json.Append("{}");
        }
        else
        {
            json.Append("{\n");
            string[] lines = [.. manifest.SchemaChecksums
                .OrderBy(e => e.Path, Utf8ByteOrder.Instance)
                .Select(e => "    " + Quote(e.Path) + ": " + Quote("crc32:" + e.Checksum.Value.ToString("x8", CultureInfo.InvariantCulture)))];
            json.Append(string.Join(",\n", lines)).Append("\n  }");
        }

        json.Append(",\n  \"format_version\": ").Append(manifest.FormatVersion.ToString(CultureInfo.InvariantCulture));
        if (manifest.CommitBoundary is { } boundary)
        {
            json.Append(",\n  \"commit_boundary\": ").Append(boundary.ToString(CultureInfo.InvariantCulture));
        }

        return json.Append("\n}").ToString();
    }

    // serde_json's ESCAPE table: quote, backslash, and C0 controls; \b \t \n \f \r have short forms.
    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (char c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\t' => "\\t",
                '\n' => "\\n",
                '\f' => "\\f",
                '\r' => "\\r",
                < ' ' => "\\u00" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>Orders strings by their UTF-8 bytes, which is Unicode code point order.</summary>
    private sealed class Utf8ByteOrder : IComparer<string>
    {
        public static readonly Utf8ByteOrder Instance = new();

        public int Compare(string? x, string? y)
            => Encoding.UTF8.GetBytes(x ?? string.Empty).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? string.Empty));
    }
}
