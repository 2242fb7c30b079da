using System.Text;
using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Wal;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Tests.Checkpoint;

/// <summary>Checkpoint = snapshot, durable checkpoint.json, then the WAL reset; and clean's state machine for an interrupted one.</summary>
public sealed class CheckpointTests
{
    private static readonly DateTimeOffset Clock = new(2026, 2, 4, 11, 30, 0, TimeSpan.Zero);

    [Fact]
    public void A_checkpoint_publishes_a_valid_snapshot_writes_the_marker_and_empties_the_wal()
    {
        using var data = Build(out byte[] wal);
        using var manager = new SnapshotManager();

        CheckpointResult result = Run(manager, data, new SnapshotOptions { TimeProvider = new FixedTimeProvider(Clock) });

        Assert.Equal(SnapshotId.Parse("20260204T113000Z"), result.SnapshotId);
        Assert.True(manager.Verify(data.SnapshotDirectory(result.SnapshotId)).IsValid);
        Assert.Equal(
            "{\n  \"snapshot_id\": \"20260204T113000Z\",\n  \"created_at\": \"2026-02-04T11:30:00Z\",\n  \"wal_truncated\": true,\n  \"format_version\": 1\n}",
            File.ReadAllText(Path.Join(data.Root, "checkpoint.json")));
        Assert.Equal(0, new FileInfo(WalPath(data)).Length);
        Assert.Equal(wal.Length, result.WalBytesDropped);
        Assert.False(File.Exists(Path.Join(data.Root, ".checkpoint-intent")));
        Assert.False(File.Exists(Path.Join(data.Root, "checkpoint.json.tmp")));
    }

    [Fact]
    public void A_checkpoint_without_the_execution_lock_changes_nothing()
    {
        using var data = Build(out byte[] wal);
        using var manager = new SnapshotManager();

        SnapshotException error = Assert.Throws<SnapshotException>(() => manager.Checkpoint(
            data.Root, data.StoragePath, data.SchemaDirectory, WalPath(data), new GlobalExecutionLock()));

        Assert.Equal(SnapshotStep.CheckLock, error.Step);
        Assert.Equal(wal, File.ReadAllBytes(WalPath(data)));
        Assert.False(Directory.Exists(data.SnapshotsDirectory));
    }

    [Fact]
    public void A_failed_wal_reset_fails_the_checkpoint_keeps_the_snapshot_and_leaves_wal_and_marker_as_they_were()
    {
        using var data = Build(out byte[] wal);
        using var manager = new SnapshotManager();

        // A handle opened read-only: the fsync works, ftruncate fails for real (EINVAL/EBADF).
        using SafeFileHandle readOnly = File.OpenHandle(WalPath(data), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var executionLock = new GlobalExecutionLock();
        SnapshotException error;
        using (executionLock.Acquire())
        {
            error = Assert.Throws<SnapshotException>(() => manager.Checkpoint(
                data.Root, data.StoragePath, data.SchemaDirectory, WalPath(data), executionLock,
                new SnapshotOptions { TimeProvider = new FixedTimeProvider(Clock) }, readOnly));
        }

        Assert.Equal(SnapshotStep.CheckpointResetWal, error.Step);
        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(wal, File.ReadAllBytes(WalPath(data)));
        Assert.True(manager.Verify(data.SnapshotDirectory(SnapshotId.Parse("20260204T113000Z"))).IsValid);
        Assert.False(File.Exists(Path.Join(data.Root, "checkpoint.json")));
        Assert.False(File.Exists(Path.Join(data.Root, ".checkpoint-intent")));
    }

    [Fact]
    public void A_missing_wal_is_an_empty_one_as_AeroDB_treats_it_and_the_checkpoint_leaves_it_absent()
    {
        using var data = Build(out _);
        File.Delete(WalPath(data));
        using var manager = new SnapshotManager();

        CheckpointResult result = Run(manager, data, new SnapshotOptions { TimeProvider = new FixedTimeProvider(Clock) });

        Assert.Equal(0, result.WalBytesDropped);
        Assert.True(manager.Verify(data.SnapshotDirectory(result.SnapshotId)).IsValid);
        Assert.Equal(result.SnapshotId, CheckpointMarker.ReadUtf8(File.ReadAllBytes(result.MarkerPath)).SnapshotId);
        Assert.False(File.Exists(WalPath(data)));
        Assert.False(File.Exists(Path.Join(data.Root, ".checkpoint-intent")));
    }

    [Fact]
    public void A_wal_that_grows_after_it_was_checked_is_not_reset_and_the_checkpoint_fails()
    {
        // Only a writer that ignores the execution lock can do this; the reset would erase records
        // nobody checked, so the checkpoint stops before the WAL is touched.
        using var data = Build(out byte[] wal);
        using var manager = new SnapshotManager();
        byte[] more = AeroDbWal.Record(0, 4, [9]);
        var options = new SnapshotOptions
        {
            TimeProvider = new FixedTimeProvider(Clock),
            BeforeStep = step =>
            {
                if (step == SnapshotStep.CopyStorage)
                {
                    File.AppendAllBytes(WalPath(data), more);
                }
            },
        };

        SnapshotException error = Assert.Throws<SnapshotException>(() => Run(manager, data, options));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Contains("changed during the checkpoint", error.Message, StringComparison.Ordinal);
        Assert.Equal([.. wal, .. more], File.ReadAllBytes(WalPath(data)));
        Assert.False(File.Exists(Path.Join(data.Root, "checkpoint.json")));
        Assert.False(File.Exists(Path.Join(data.Root, ".checkpoint-intent")));
    }

    [Fact]
    public void A_wal_aeroDBs_reader_would_refuse_stops_the_checkpoint_before_anything_changes()
    {
        using var data = Build(out byte[] wal);
        byte[] torn = wal[..^3];
        File.WriteAllBytes(WalPath(data), torn);
        using var manager = new SnapshotManager();

        SnapshotException error = Assert.Throws<SnapshotException>(() => Run(manager, data, null));

        Assert.Equal(SnapshotErrorCode.WalCorruption, error.Code);
        Assert.Equal(SnapshotSeverity.Fatal, error.Severity);
        Assert.Equal("K2", error.Invariant);
        Assert.Equal(WalPath(data), error.Path);
        Assert.Equal(WalProblemKind.TornTail, Assert.IsType<WalFrameException>(error.InnerException).Kind);
        Assert.Equal(torn, File.ReadAllBytes(WalPath(data)));
        Assert.False(Directory.Exists(data.SnapshotsDirectory));
        Assert.Equal(["metadata", "storage.dat", "wal"], Directory.EnumerateFileSystemEntries(data.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_wal_that_is_a_symbolic_link_is_refused_and_its_target_untouched()
    {
        using var data = Build(out byte[] wal);
        string elsewhere = Path.Join(data.Root, "elsewhere.log");
        File.Move(WalPath(data), elsewhere);
        File.CreateSymbolicLink(WalPath(data), elsewhere);
        using var manager = new SnapshotManager();

        SnapshotException error = Assert.Throws<SnapshotException>(() => Run(manager, data, null));

        Assert.Equal(Fast.IO.Errno.ELOOP, error.Errno);
        Assert.Equal(wal, File.ReadAllBytes(elsewhere));
    }

    [Fact]
    public void Clean_finishes_a_checkpoint_interrupted_after_its_marker_by_resetting_the_unchanged_wal()
    {
        using var data = Build(out byte[] wal);
        using var manager = new SnapshotManager();
        SnapshotId id = data.CreateSnapshot(manager);
        WriteMarker(data, id);
        new CheckpointIntent(id, WalPath(data), wal.Length).Write(data.Root);

        IReadOnlyList<string> handled = manager.RemoveLeftovers(data.Root);

        Assert.Contains(handled, h => h.Contains("finished: the WAL was reset", StringComparison.Ordinal));
        Assert.Equal(0, new FileInfo(WalPath(data)).Length);
        Assert.False(File.Exists(Path.Join(data.Root, ".checkpoint-intent")));
    }

    [Fact]
    public void A_preview_of_clean_says_it_would_finish_the_interrupted_checkpoint_and_changes_nothing()
    {
        using var data = Build(out byte[] wal);
        using var manager = new SnapshotManager();
        SnapshotId id = data.CreateSnapshot(manager);
        WriteMarker(data, id);
        new CheckpointIntent(id, WalPath(data), wal.Length).Write(data.Root);
        File.WriteAllText(Path.Join(data.Root, "checkpoint.json.tmp"), "{");

        IReadOnlyList<string> previewed = manager.PreviewLeftovers(data.Root);

        Assert.Contains("checkpoint.json.tmp", previewed);
        Assert.Contains(previewed, h => h.Contains("finished: the WAL", StringComparison.Ordinal) && h.Contains("is reset to empty", StringComparison.Ordinal));
        Assert.Equal(wal, File.ReadAllBytes(WalPath(data)));
        Assert.True(File.Exists(Path.Join(data.Root, ".checkpoint-intent")));
        Assert.True(File.Exists(Path.Join(data.Root, "checkpoint.json.tmp")));

        IReadOnlyList<string> handled = manager.RemoveLeftovers(data.Root);

        Assert.Equal(previewed.Select(static h => h.Split(' ')[0]), handled.Select(static h => h.Split(' ')[0]));
        Assert.Equal(0, new FileInfo(WalPath(data)).Length);
    }

    [Fact]
    public void Clean_undoes_a_checkpoint_interrupted_before_its_marker_leaving_the_wal_untouched()
    {
        using var data = Build(out byte[] wal);
        using var manager = new SnapshotManager();
        SnapshotId id = data.CreateSnapshot(manager);
        new CheckpointIntent(id, WalPath(data), wal.Length).Write(data.Root);
        File.WriteAllText(Path.Join(data.Root, "checkpoint.json.tmp"), "{");

        IReadOnlyList<string> handled = manager.RemoveLeftovers(data.Root);

        Assert.Contains(handled, h => h.Contains("undone", StringComparison.Ordinal));
        Assert.Equal(wal, File.ReadAllBytes(WalPath(data)));
        Assert.False(File.Exists(Path.Join(data.Root, ".checkpoint-intent")));
        Assert.False(File.Exists(Path.Join(data.Root, "checkpoint.json.tmp")));
    }

    [Fact]
    public void Clean_leaves_alone_a_wal_written_since_the_interrupted_checkpoint()
    {
        using var data = Build(out byte[] wal);
        using var manager = new SnapshotManager();
        SnapshotId id = data.CreateSnapshot(manager);
        WriteMarker(data, id);
        new CheckpointIntent(id, WalPath(data), wal.Length - 1).Write(data.Root);

        IReadOnlyList<string> handled = manager.RemoveLeftovers(data.Root);

        Assert.Contains(handled, h => h.Contains("left alone", StringComparison.Ordinal));
        Assert.Equal(wal, File.ReadAllBytes(WalPath(data)));
        Assert.False(File.Exists(Path.Join(data.Root, ".checkpoint-intent")));
    }

    [Fact]
    public void A_second_checkpoint_replaces_the_marker_and_resets_the_new_records()
    {
        using var data = Build(out _);
        using var manager = new SnapshotManager();
        var clock = new FixedTimeProvider(Clock);
        Run(manager, data, new SnapshotOptions { TimeProvider = clock });
        File.WriteAllBytes(WalPath(data), AeroDbWal.Record(0, 1, [1, 2, 3]));
        clock.Now = Clock.AddSeconds(5);

        CheckpointResult second = Run(manager, data, new SnapshotOptions { TimeProvider = clock });

        Assert.Equal(SnapshotId.Parse("20260204T113005Z"), CheckpointMarker.ReadUtf8(File.ReadAllBytes(Path.Join(data.Root, "checkpoint.json"))).SnapshotId);
        Assert.Equal(SnapshotId.Parse("20260204T113005Z"), second.SnapshotId);
        Assert.Equal(0, new FileInfo(WalPath(data)).Length);
    }

    internal static TestDataDirectory Build(out byte[] wal)
    {
        var data = new TestDataDirectory();
        data.WriteStorage(100_000);
        data.WriteSchema("users.json", "{\"type\":\"object\"}");
        data.WriteSchema("a/b/orders.json", "{}");
        (wal, _) = WalBuilder.Valid([5, 50, 500]);
        Directory.CreateDirectory(Path.Join(data.Root, "wal"));
        File.WriteAllBytes(WalPath(data), wal);
        return data;
    }

    internal static string WalPath(TestDataDirectory data) => Path.Join(data.Root, "wal", "wal.log");

    internal static CheckpointResult Run(SnapshotManager manager, TestDataDirectory data, SnapshotOptions? options)
    {
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            return manager.Checkpoint(data.Root, data.StoragePath, data.SchemaDirectory, WalPath(data), executionLock, options);
        }
    }

    private static void WriteMarker(TestDataDirectory data, SnapshotId id)
    {
        var marker = new CheckpointMarker { SnapshotId = id, CreatedAt = id.Instant, WalTruncated = true, FormatVersion = 1 };
        var bytes = new byte[marker.GetUtf8ByteCount()];
        Assert.True(marker.TryWriteUtf8(bytes, out _));
        File.WriteAllText(Path.Join(data.Root, "checkpoint.json"), Encoding.UTF8.GetString(bytes));
    }
}
