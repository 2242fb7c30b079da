using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.IO.Interop;
using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Restoring;

/// <summary>
/// What a restore reports and the modes it leaves. Found by the mutation runs of issue #17: the
/// counters of <see cref="RestoreResult"/>, the progress total, the schema files' mode and the
/// modes kept for <c>LOCK</c>, <c>wal/</c> and <c>metadata/</c> could all be changed without failing
/// a test.
/// </summary>
public sealed class RestoreReportingTests : IDisposable
{
    // Bits a usual umask (022) removes from the mode given to open(2) and mkdir(2): a mode that
    // survives a restore with them set was set exactly, not just inherited from the create call.
    private const uint OpenFile = 0b110_110_110;
    private const uint OpenDirectory = 0b111_111_111;
    private const uint GroupDirectory = 0b111_111_000;

    private readonly ReadSideWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private string Data => _workspace.DataDirectory;

    [Fact]
    public void Restore_counts_every_byte_and_file_it_copies_and_progress_ends_at_that_total()
    {
        _workspace.WriteStorage(new byte[(1 << 20) + 7]);
        _workspace.WriteSchema("a.json", "12345");
        _workspace.WriteSchema("deep/er/b.json", "1234567890");
        SnapshotId id = _workspace.Snapshot();
        string target = Path.Join(_workspace.Root, "restored");
        Directory.CreateDirectory(target);
        var reports = new List<SnapshotProgress>();

        RestoreResult result = _workspace.Manager.Restore(
            _workspace.SnapshotPath(id), target, options: new SnapshotOptions { Progress = new InlineProgress<SnapshotProgress>(reports.Add) });

        const long expected = (1 << 20) + 7 + 5 + 10;
        Assert.Equal(expected, result.BytesRestored);
        Assert.Equal(3, result.FilesRestored);
        Assert.NotEmpty(reports);
        Assert.All(reports, static p => Assert.Equal(expected, p.BytesTotal));
        Assert.Equal(expected, reports[^1].BytesDone);
        Assert.True(reports.Zip(reports.Skip(1)).All(static p => p.First.BytesDone <= p.Second.BytesDone));
    }

    /// <summary>
    /// A reference-written snapshot lists only the top of <c>schemas/</c>; restore copies the
    /// unlisted nested files too, and counts them in its bytes, its files and its progress total,
    /// so the progress ends at 100 % rather than past it (found by the mutation run: the unlisted
    /// bytes could be dropped from the total without failing a test).
    /// </summary>
    [Fact]
    public void Restore_of_a_reference_snapshot_counts_its_unlisted_files_in_bytes_files_and_the_progress_total()
    {
        _workspace.WriteTypicalData();
        string snapshot = TestSupport.Oracle.ReferenceSnapshotWriter.Write(Data, new DateTimeOffset(2026, 2, 4, 11, 30, 0, TimeSpan.Zero), TimeSpan.FromSeconds(1));
        long unlisted = new FileInfo(Path.Join(snapshot, "schemas", "app", "items.json")).Length
            + new FileInfo(Path.Join(snapshot, "schemas", "app", "orders", "v2.json")).Length;
        long expected = new FileInfo(Path.Join(snapshot, "storage.dat")).Length + new FileInfo(Path.Join(snapshot, "schemas", "users.json")).Length + unlisted;
        Assert.Equal(2, _workspace.Manager.Verify(snapshot).Unlisted.Count);
        string target = Path.Join(_workspace.Root, "restored");
        Directory.CreateDirectory(target);
        var reports = new List<SnapshotProgress>();

        RestoreResult result = _workspace.Manager.Restore(snapshot, target, options: new SnapshotOptions { Progress = new InlineProgress<SnapshotProgress>(reports.Add) });

        Assert.Equal(expected, result.BytesRestored);
        Assert.Equal(4, result.FilesRestored);
        Assert.All(reports, p => Assert.Equal(expected, p.BytesTotal));
        Assert.Equal(expected, reports[^1].BytesDone);
        Assert.Equal(TreeListing.OfSnapshotData(snapshot), TreeListing.OfRestoredData(target));
    }

    [Fact]
    public void Snapshot_counts_storage_schemas_and_manifest_in_its_bytes_and_files()
    {
        _workspace.WriteStorage(new byte[4096 + 3]);
        _workspace.WriteSchema("a.json", "12345");
        _workspace.WriteSchema("deep/b.json", "1234567890");

        var result = _workspace.Snapshot(new SnapshotOptions());

        long manifest = new FileInfo(Path.Join(result.Directory, "manifest.json")).Length;
        Assert.Equal(4096 + 3 + 5 + 10 + manifest, result.Bytes);
        Assert.Equal(4, result.Files);
    }

    [Fact]
    public void Restore_keeps_the_modes_of_lock_wal_and_metadata_and_gives_restored_schemas_the_default_modes()
    {
        _workspace.WriteTypicalData();
        SnapshotId id = _workspace.Snapshot();
        Directory.CreateDirectory(Path.Join(Data, "wal"));
        File.WriteAllText(Path.Join(Data, "wal", "wal.log"), "records");
        File.WriteAllText(Path.Join(Data, "LOCK"), "");
        SetMode(Path.Join(Data, "LOCK"), OpenFile);
        SetMode(Path.Join(Data, "wal"), OpenDirectory);
        SetMode(Path.Join(Data, "metadata"), GroupDirectory);
        SetMode(_workspace.StoragePath, FileModes.PrivateFile);

        _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data);

        Assert.Equal(OpenFile, ModeOf(Path.Join(Data, "LOCK")));
        Assert.Equal(OpenDirectory, ModeOf(Path.Join(Data, "wal")));
        Assert.Equal(GroupDirectory, ModeOf(Path.Join(Data, "metadata")));
        Assert.Equal(FileModes.PrivateFile, ModeOf(_workspace.StoragePath));
        // Schema files are the database's to modify, whatever storage's mode: 0644; their
        // directories 0755; the new WAL file 0644.
        Assert.Equal(FileModes.File, ModeOf(Path.Join(_workspace.SchemaDirectory, "users.json")));
        Assert.Equal(FileModes.File, ModeOf(Path.Join(_workspace.SchemaDirectory, "app", "orders", "v2.json")));
        Assert.Equal(FileModes.Directory, ModeOf(Path.Join(_workspace.SchemaDirectory, "app")));
        Assert.Equal(FileModes.Directory, ModeOf(_workspace.SchemaDirectory));
        Assert.Equal(FileModes.File, ModeOf(Path.Join(Data, "wal", "wal.log")));
    }

    [Fact]
    public void Restore_into_a_directory_without_lock_wal_or_metadata_gives_them_the_default_modes()
    {
        _workspace.WriteTypicalData();
        SnapshotId id = _workspace.Snapshot();
        string target = Path.Join(_workspace.Root, "fresh");
        Directory.CreateDirectory(target);

        _workspace.Manager.Restore(_workspace.SnapshotPath(id), target);

        Assert.False(File.Exists(Path.Join(target, "LOCK")));
        Assert.Equal(FileModes.Directory, ModeOf(Path.Join(target, "wal")));
        Assert.Equal(FileModes.Directory, ModeOf(Path.Join(target, "metadata")));
        Assert.Equal(FileModes.File, ModeOf(Path.Join(target, "storage.dat")));
    }

    private static void SetMode(string path, uint mode) => File.SetUnixFileMode(path, (UnixFileMode)mode);

    private static uint ModeOf(string path) => NativeFile.TryStatus(path)!.Value.Permissions;
}
