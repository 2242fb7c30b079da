using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.TestSupport.FileSystems;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>
/// The two checks a create makes before it copies anything, at their exact boundaries: a schema
/// copy's path must fit in PATH_MAX (4096 bytes with its terminating zero), and the snapshot's
/// estimated size must fit in the space available. Found by the mutation runs of issue #17: only
/// the obvious cases were tested, so either limit could move by one without failing a test.
/// </summary>
public sealed class PreflightLimitsTests : IDisposable
{
    private const int PathMax = 4096;

    private readonly TestDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_copy_path_of_4095_bytes_is_accepted_and_one_of_4096_is_refused_naming_the_source()
    {
        _data.WriteSchema("a.json", "{}");
        SchemaTree tree = SchemaTree.Scan(_data.SchemaDirectory);

        // The copy's path is the staging schemas directory, a slash, and the relative path (6 bytes).
        SnapshotPreflight.CheckPathLengths(_data.SchemaDirectory, StagingOfLength(PathMax - 1 - 1 - 6), tree);
        SnapshotException error = Assert.Throws<SnapshotException>(
            () => SnapshotPreflight.CheckPathLengths(_data.SchemaDirectory, StagingOfLength(PathMax - 1 - 6), tree));

        Assert.Equal(Errno.ENAMETOOLONG, error.Errno);
        Assert.Equal(SnapshotStep.Prepare, error.Step);
        Assert.Equal(Path.Join(_data.SchemaDirectory, "a.json"), error.Path);
        Assert.Contains($"a path of {PathMax} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains($"at most {PathMax - 1}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_paths_are_measured_too_and_lengths_are_counted_in_utf8_bytes()
    {
        Directory.CreateDirectory(Path.Join(_data.SchemaDirectory, "dirctory-é"));  // 11 bytes in UTF-8, 10 chars
        SchemaTree tree = SchemaTree.Scan(_data.SchemaDirectory);

        SnapshotPreflight.CheckPathLengths(_data.SchemaDirectory, StagingOfLength(PathMax - 1 - 1 - 11), tree);
        SnapshotException error = Assert.Throws<SnapshotException>(
            () => SnapshotPreflight.CheckPathLengths(_data.SchemaDirectory, StagingOfLength(PathMax - 1 - 11), tree));
        Assert.Equal(Path.Join(_data.SchemaDirectory, "dirctory-é"), error.Path);
    }

    [PrivilegedFact]
    public void A_snapshot_estimated_at_exactly_the_available_space_is_accepted_and_one_block_more_is_refused()
    {
        _data.WriteSchema("one.json", "1");
        _data.WriteSchema("deep/five-thousand.json", new string('x', 5000));
        SchemaTree tree = SchemaTree.Scan(_data.SchemaDirectory);
        using var tmpfs = new TmpfsMount("1m");
        (long block, long available) = NativeFile.FreeSpace(tmpfs.MountPoint);
        Assert.Equal(4096, block);

        // The estimate, as documented in SnapshotPreflight: each file rounded up to whole blocks,
        // a block per directory (one here, "deep") plus two (the snapshot and schemas/), and the
        // manifest at 1024 bytes plus 100 per schema file, rounded up.
        long schemas = block /* one.json */ + (2 * block) /* 5000 bytes */;
        long overhead = (block * (1 + 2)) + block /* 1024 + 200 */ + schemas;
        long storage = available - overhead;

        SnapshotPreflight.CheckFreeSpace(tmpfs.MountPoint, storage, tree);
        SnapshotException error = Assert.Throws<SnapshotException>(() => SnapshotPreflight.CheckFreeSpace(tmpfs.MountPoint, storage + 1, tree));

        Assert.Equal(Errno.ENOSPC, error.Errno);
        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(tmpfs.MountPoint, error.Path);
        Assert.Contains($"needs about {available + block} bytes and {available} are available", error.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void The_manifest_estimate_grows_by_100_bytes_a_schema_file()
    {
        // 31 empty files: the manifest estimate is 1024 + 3100 = 4124 bytes, two blocks where 30 files take one.
        for (int i = 0; i < 31; i++)
        {
            _data.WriteSchema($"f{i:00}.json", string.Empty);
        }

        SchemaTree tree = SchemaTree.Scan(_data.SchemaDirectory);
        using var tmpfs = new TmpfsMount("1m");
        (long block, long available) = NativeFile.FreeSpace(tmpfs.MountPoint);
        long overhead = (block * 2) + (2 * block);

        SnapshotPreflight.CheckFreeSpace(tmpfs.MountPoint, available - overhead, tree);
        Assert.Throws<SnapshotException>(() => SnapshotPreflight.CheckFreeSpace(tmpfs.MountPoint, available - overhead + 1, tree));
    }

    /// <summary>A staging path of exactly <paramref name="bytes"/> bytes (it need not exist: only its length is measured).</summary>
    private static string StagingOfLength(int bytes) => "/" + new string('s', bytes - 1);
}
