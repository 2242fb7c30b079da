using System.IO.Hashing;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>The reference implementation's behaviours, on real files.</summary>
public sealed class CreateSnapshotLayoutTests : IDisposable
{
    private readonly TestDataDirectory _data = new();
    private readonly SnapshotManager _manager = new();

    public void Dispose()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    [Fact]
    public void Snapshot_has_the_contract_layout_and_a_sixteen_character_id()
    {
        _data.WriteStorage(100_000);
        _data.WriteSchema("user_v1.json", "{\"type\":\"object\"}");

        SnapshotId id = _data.CreateSnapshot(_manager);

        string name = id.ToString();
        Assert.Matches("^[0-9]{8}T[0-9]{6}Z$", name);
        string snapshot = _data.SnapshotDirectory(id);
        Assert.True(File.Exists(Path.Join(snapshot, "storage.dat")));
        Assert.True(File.Exists(Path.Join(snapshot, "schemas", "user_v1.json")));
        Assert.True(File.Exists(Path.Join(snapshot, "manifest.json")));
        Assert.Equal(["manifest.json", "schemas", "storage.dat"], Directory.EnumerateFileSystemEntries(snapshot).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Manifest_records_format_version_1_the_id_and_the_checksums_of_the_sources()
    {
        _data.WriteStorage(300_000);
        byte[] schema = "{\"name\":\"orders\"}"u8.ToArray();
        _data.WriteSchema("orders/v2.json", schema);

        SnapshotId id = _data.CreateSnapshot(_manager);

        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(File.ReadAllBytes(Path.Join(_data.SnapshotDirectory(id), "manifest.json")));
        Assert.Equal(1, manifest.FormatVersion);
        Assert.Equal(id, manifest.SnapshotId);
        Assert.Equal(id.Instant, manifest.CreatedAt);
        Assert.Equal(Crc32.HashToUInt32(File.ReadAllBytes(_data.StoragePath)), manifest.StorageChecksum.Value);
        Assert.True(manifest.SchemaChecksums.TryGetValue("orders/v2.json", out Crc32Checksum schemaChecksum));
        Assert.Equal(Crc32.HashToUInt32(schema), schemaChecksum.Value);
        Assert.Null(manifest.CommitBoundary);
    }

    [Fact]
    public void Storage_copy_is_byte_identical()
    {
        _data.WriteStorage((3 << 20) + 4097);

        SnapshotId id = _data.CreateSnapshot(_manager);

        Assert.Equal(File.ReadAllBytes(_data.StoragePath), File.ReadAllBytes(Path.Join(_data.SnapshotDirectory(id), "storage.dat")));
    }

    [Fact]
    public void Nested_schema_files_are_copied_and_keyed_by_slash_separated_relative_paths()
    {
        _data.WriteStorage(10);
        _data.WriteSchema("a.json", "1");
        _data.WriteSchema("deep/er/b.json", "22");
        _data.WriteSchema("deep/c.json", "333");
        _data.WriteSchema("empty.json", string.Empty);

        SnapshotId id = _data.CreateSnapshot(_manager);

        string snapshot = _data.SnapshotDirectory(id);
        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(File.ReadAllBytes(Path.Join(snapshot, "manifest.json")));
        Assert.Equal(["a.json", "deep/c.json", "deep/er/b.json", "empty.json"], manifest.SchemaChecksums.Select(static e => e.Path));
        foreach (ChecksumEntry entry in manifest.SchemaChecksums)
        {
            byte[] copy = File.ReadAllBytes(Path.Join(snapshot, "schemas", entry.Path));
            Assert.Equal(File.ReadAllBytes(Path.Join(_data.SchemaDirectory, entry.Path)), copy);
            Assert.Equal(Crc32.HashToUInt32(copy), entry.Checksum.Value);
        }
    }

    [Fact]
    public void Empty_schema_directory_gives_an_empty_schemas_folder_and_an_empty_map()
    {
        _data.WriteStorage(10);
        Directory.CreateDirectory(_data.SchemaDirectory);

        SnapshotId id = _data.CreateSnapshot(_manager);

        AssertEmptySchemas(id);
    }

    [Fact]
    public void Missing_schema_directory_gives_an_empty_schemas_folder_and_an_empty_map()
    {
        _data.WriteStorage(10);

        SnapshotId id = _data.CreateSnapshot(_manager);

        AssertEmptySchemas(id);
    }

    [Fact]
    public void Missing_storage_file_fails_and_leaves_no_entry_under_snapshots()
    {
        var error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(SnapshotSeverity.Error, error.Severity);
        Assert.Equal(_data.StoragePath, error.Path);
        Assert.Contains("storage.dat", error.Message, StringComparison.Ordinal);
        Assert.Empty(_data.SnapshotsListing());
    }

    [Fact]
    public void Snapshot_files_are_read_only()
    {
        _data.WriteStorage(10);
        _data.WriteSchema("s.json", "{}");

        SnapshotId id = _data.CreateSnapshot(_manager);

        string snapshot = _data.SnapshotDirectory(id);
        foreach (string file in new[] { "storage.dat", "manifest.json", "schemas/s.json" })
        {
            UnixFileMode mode = File.GetUnixFileMode(Path.Join(snapshot, file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, mode);
        }
    }

    [Fact]
    public void Storage_can_be_read_through_the_databases_own_exclusive_handle()
    {
        _data.WriteStorage(200_000);
        using var storage = new FileStream(_data.StoragePath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var executionLock = new GlobalExecutionLock();

        SnapshotId id;
        using (executionLock.Acquire())
        {
            id = _manager.CreateSnapshot(_data.Root, storage.SafeFileHandle, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock).Id;
        }

        Assert.Equal(File.ReadAllBytes(Path.Join(_data.SnapshotDirectory(id), "storage.dat")), ReadAll(storage));
    }

    [Fact]
    public void Progress_reports_every_byte_and_ends_at_the_total()
    {
        _data.WriteStorage((2 << 20) + 5);
        _data.WriteSchema("x.json", "12345");
        var reports = new List<SnapshotProgress>();

        _data.CreateSnapshot(_manager, new SnapshotOptions { Progress = new InlineProgress<SnapshotProgress>(reports.Add) });

        Assert.NotEmpty(reports);
        Assert.Equal((2 << 20) + 10, reports[^1].BytesTotal);
        Assert.Equal(reports[^1].BytesTotal, reports[^1].BytesDone);
        Assert.True(reports.Zip(reports.Skip(1)).All(static p => p.First.BytesDone <= p.Second.BytesDone));
    }

    private void AssertEmptySchemas(SnapshotId id)
    {
        string snapshot = _data.SnapshotDirectory(id);
        Assert.True(Directory.Exists(Path.Join(snapshot, "schemas")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Join(snapshot, "schemas")));
        string manifest = File.ReadAllText(Path.Join(snapshot, "manifest.json"));
        Assert.Contains("\"schema_checksums\": {}", manifest, StringComparison.Ordinal);
    }

    private static byte[] ReadAll(FileStream stream)
    {
        byte[] bytes = new byte[stream.Length];
        RandomAccess.Read(stream.SafeFileHandle, bytes, 0);
        return bytes;
    }
}
