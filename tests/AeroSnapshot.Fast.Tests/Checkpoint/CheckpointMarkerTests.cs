using System.Text;
using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.ManifestFormat;

namespace AeroSnapshot.Fast.Tests.Checkpoint;

/// <summary><c>checkpoint.json</c> follows the same writing and reading rules as the manifest.</summary>
public sealed class CheckpointMarkerTests
{
    private static readonly CheckpointMarker Example = new()
    {
        SnapshotId = SnapshotId.Parse("20260204T113000Z"),
        CreatedAt = SnapshotInstant.Parse("2026-02-04T11:30:05Z"),
        WalTruncated = true,
        FormatVersion = CheckpointMarker.CurrentFormatVersion,
    };

    private const string ExampleJson =
        "{\n" +
        "  \"snapshot_id\": \"20260204T113000Z\",\n" +
        "  \"created_at\": \"2026-02-04T11:30:05Z\",\n" +
        "  \"wal_truncated\": true,\n" +
        "  \"format_version\": 1\n" +
        "}";

    private static string Write(CheckpointMarker marker)
    {
        byte[] buffer = new byte[marker.GetUtf8ByteCount()];
        Assert.True(marker.TryWriteUtf8(buffer, out int written));
        return Encoding.UTF8.GetString(buffer, 0, written);
    }

    private static ManifestFormatException Rejects(string json)
        => Assert.Throws<ManifestFormatException>(() => CheckpointMarker.ReadUtf8(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Is_written_byte_for_byte_in_the_pretty_format()
    {
        Assert.Equal(ExampleJson, Write(Example));
    }

    [Fact]
    public void Wal_not_truncated_is_written_as_false()
    {
        CheckpointMarker marker = new()
        {
            SnapshotId = Example.SnapshotId,
            CreatedAt = Example.CreatedAt,
            WalTruncated = false,
            FormatVersion = 1,
        };

        Assert.Equal(ExampleJson.Replace("true", "false", StringComparison.Ordinal), Write(marker));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Write_then_read_gives_back_the_same_marker(bool walTruncated)
    {
        CheckpointMarker marker = new()
        {
            SnapshotId = Example.SnapshotId,
            CreatedAt = Example.CreatedAt,
            WalTruncated = walTruncated,
            FormatVersion = 1,
        };

        CheckpointMarker read = CheckpointMarker.ReadUtf8(Encoding.UTF8.GetBytes(Write(marker)));

        Assert.Equal(marker, read);
        Assert.Equal(walTruncated, read.WalTruncated);
    }

    [Fact]
    public void Reads_any_key_order_with_unknown_keys()
    {
        CheckpointMarker read = CheckpointMarker.ReadUtf8(
            "{\"format_version\":1,\"extra\":[{}],\"wal_truncated\":true,\"created_at\":\"2026-02-04T11:30:05Z\",\"snapshot_id\":\"20260204T113000Z\"}"u8);

        Assert.Equal(Example, read);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("0")]
    public void Refuses_any_format_version_but_1(string version)
    {
        ManifestFormatException error = Rejects(ExampleJson.Replace("\"format_version\": 1", "\"format_version\": " + version, StringComparison.Ordinal));

        Assert.Equal("format_version", error.Field);
        Assert.Contains("checkpoint.json", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"true\"")]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("True")]
    public void Refuses_wal_truncated_that_is_not_a_json_boolean(string rawValue)
    {
        ManifestFormatException error = Rejects(ExampleJson.Replace("true", rawValue, StringComparison.Ordinal));

        Assert.Equal("wal_truncated", error.Field);
    }

    [Fact]
    public void Refuses_a_missing_wal_truncated()
    {
        ManifestFormatException error = Rejects("{\"snapshot_id\": \"20260204T113000Z\", \"created_at\": \"2026-02-04T11:30:05Z\", \"format_version\": 1}");

        Assert.Equal("wal_truncated", error.Field);
    }

    [Fact]
    public void Refuses_a_duplicate_key()
    {
        ManifestFormatException error = Rejects("{\"wal_truncated\": false, " + ExampleJson[1..]);

        Assert.Equal("wal_truncated", error.Field);
    }
}
