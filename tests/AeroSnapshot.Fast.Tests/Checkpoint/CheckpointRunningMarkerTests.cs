using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.Tests.Support;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Tests.Checkpoint;

/// <summary>AeroDB's running marker <c>.lock</c> and the checkpoint (issue 24 item 6).</summary>
public sealed class CheckpointRunningMarkerTests
{
    [Fact]
    public void A_checkpoint_of_a_stopped_directory_is_refused_naming_the_marker_while_it_exists_and_changes_nothing()
    {
        using var data = CheckpointTests.Build(out byte[] wal);
        string marker = Path.Join(data.Root, ".lock");
        File.WriteAllText(marker, string.Empty);
        using var manager = new SnapshotManager();

        SnapshotException error = Assert.Throws<SnapshotException>(() => CheckpointTests.Run(manager, data, null));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(marker, error.Path);
        Assert.Contains(marker, error.Message, StringComparison.Ordinal);
        Assert.Equal(wal, File.ReadAllBytes(CheckpointTests.WalPath(data)));
        Assert.False(Directory.Exists(data.SnapshotsDirectory));
        Assert.False(File.Exists(Path.Join(data.Root, "checkpoint.json")));
    }

    [Fact]
    public void A_marker_that_is_a_dangling_link_counts_as_a_marker()
    {
        using var data = CheckpointTests.Build(out _);
        File.CreateSymbolicLink(Path.Join(data.Root, ".lock"), "/nonexistent/aerodb.pid");
        using var manager = new SnapshotManager();

        Assert.Throws<SnapshotException>(() => CheckpointTests.Run(manager, data, null));
        Assert.False(Directory.Exists(data.SnapshotsDirectory));
    }

    [Fact]
    public void The_running_database_checkpointing_through_its_own_wal_handle_is_not_refused_by_its_own_marker()
    {
        using var data = CheckpointTests.Build(out byte[] wal);
        File.WriteAllText(Path.Join(data.Root, ".lock"), string.Empty);
        using var manager = new SnapshotManager();
        using SafeFileHandle walHandle = File.OpenHandle(CheckpointTests.WalPath(data), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var executionLock = new GlobalExecutionLock();
        CheckpointResult result;
        using (executionLock.Acquire())
        {
            result = manager.Checkpoint(data.Root, data.StoragePath, data.SchemaDirectory, CheckpointTests.WalPath(data), executionLock, null, walHandle);
        }

        Assert.Equal(wal.Length, result.WalBytesDropped);
        Assert.Equal(0, new FileInfo(CheckpointTests.WalPath(data)).Length);
    }
}
