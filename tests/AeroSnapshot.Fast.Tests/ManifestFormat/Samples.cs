using System.Text;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>Fixed manifests and helpers shared by the manifest tests.</summary>
internal static class Samples
{
    /// <summary>The example of the AeroDB snapshot specification.</summary>
    public static SnapshotManifest SpecExample { get; } = SnapshotManifest.Create(
        SnapshotId.Parse("20260204T113000Z"),
        Crc32Checksum.Parse("crc32:deadbeef"),
        ChecksumMap.Create([new ChecksumEntry("user_v1.json", Crc32Checksum.Parse("crc32:abcd1234"))]));

    /// <summary>
    /// What <c>serde_json::to_string_pretty</c> writes for <see cref="SpecExample"/>, byte for byte.
    /// Spelled out with explicit \n so that the file's own line endings cannot change it.
    /// </summary>
    public const string SpecExampleJson =
        "{\n" +
        "  \"snapshot_id\": \"20260204T113000Z\",\n" +
        "  \"created_at\": \"2026-02-04T11:30:00Z\",\n" +
        "  \"storage_checksum\": \"crc32:deadbeef\",\n" +
        "  \"schema_checksums\": {\n" +
        "    \"user_v1.json\": \"crc32:abcd1234\"\n" +
        "  },\n" +
        "  \"format_version\": 1\n" +
        "}";

    /// <summary>Writes through the caller-buffer API, the one the snapshot writer uses.</summary>
    public static byte[] Write(SnapshotManifest manifest)
    {
        byte[] buffer = new byte[manifest.GetUtf8ByteCount()];
        Assert.True(manifest.TryWriteUtf8(buffer, out int written));
        Assert.Equal(buffer.Length, written);
        return buffer;
    }

    public static string WriteString(SnapshotManifest manifest) => Encoding.UTF8.GetString(Write(manifest));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Reads a document that must be refused and returns the error for further checks.</summary>
    public static ManifestFormatException Rejects(byte[] utf8) => Assert.Throws<ManifestFormatException>(() => SnapshotManifest.ReadUtf8(utf8));

    public static ManifestFormatException Rejects(string json) => Rejects(Utf8(json));

    /// <summary>The spec example with one top-level member's raw JSON value replaced (or the member removed when null).</summary>
    public static string SpecWith(string key, string? rawValue)
    {
        var members = new List<(string Key, string Value)>
        {
            ("snapshot_id", "\"20260204T113000Z\""),
            ("created_at", "\"2026-02-04T11:30:00Z\""),
            ("storage_checksum", "\"crc32:deadbeef\""),
            ("schema_checksums", "{\"user_v1.json\": \"crc32:abcd1234\"}"),
            ("format_version", "1"),
        };
        int index = members.FindIndex(m => m.Key == key);
        if (index < 0)
        {
            if (rawValue is not null)
            {
                members.Add((key, rawValue));
            }
        }
        else if (rawValue is null)
        {
            members.RemoveAt(index);
        }
        else
        {
            members[index] = (key, rawValue);
        }

        return "{" + string.Join(", ", members.Select(m => $"\"{m.Key}\": {m.Value}")) + "}";
    }

    /// <summary>The spec example with <c>schema_checksums</c> holding one entry with this raw JSON key.</summary>
    public static string SpecWithSchemaKey(string rawJsonKey)
        => SpecWith("schema_checksums", "{\"" + rawJsonKey + "\": \"crc32:abcd1234\"}");

    /// <summary>Concatenates UTF-8 text and raw bytes, for documents that are not valid UTF-8.</summary>
    public static byte[] Bytes(params object[] parts)
    {
        var result = new List<byte>();
        foreach (object part in parts)
        {
            switch (part)
            {
                case string text:
                    result.AddRange(Encoding.UTF8.GetBytes(text));
                    break;
                case byte b:
                    result.Add(b);
                    break;
                case byte[] bytes:
                    result.AddRange(bytes);
                    break;
                default:
                    throw new ArgumentException($"Unsupported part {part}", nameof(parts));
            }
        }

        return [.. result];
    }
}
