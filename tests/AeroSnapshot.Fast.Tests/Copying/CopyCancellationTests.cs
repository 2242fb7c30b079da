using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Copying;

/// <summary>
/// Cancelling a snapshot or a restore stops the copy of a large storage file at the next buffer, not
/// after the whole file (which can take minutes with writes paused). Found by the mutation run of
/// issue #17: with the copy loop's cancellation check removed, the existing cancellation test still
/// passed, because the next step's check threw after the whole file had been copied.
/// </summary>
public sealed class CopyCancellationTests : IDisposable
{
    private const int Buffer = 64 * 1024;
    private readonly TestDataDirectory _data = new();

    public CopyCancellationTests()
    {
        _data.WriteStorage(32L * Buffer, seed: 9);
        _data.WriteSchema("a.json", "{}");
    }

    public void Dispose() => _data.Dispose();

    [Fact]
    public void Cancelling_during_the_storage_copy_stops_it_at_the_next_buffer()
    {
        using var cancel = new CancellationTokenSource();
        var reports = new List<long>();
        var options = new SnapshotOptions
        {
            BufferSize = Buffer,
            UseReflink = false,
            Progress = new InlineProgress<SnapshotProgress>(p =>
            {
                reports.Add(p.BytesDone);
                cancel.Cancel();
            }),
        };

        using var manager = new SnapshotManager();
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            // The token is the call's last parameter, as in every long operation.
            Assert.ThrowsAny<OperationCanceledException>(() => manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock, options, cancel.Token));
        }

        Assert.Single(reports);
        Assert.Empty(_data.SnapshotsListing());
    }

    [Fact]
    public void Cancelling_during_a_restore_stops_its_copy_at_the_next_buffer_and_leaves_the_target()
    {
        SnapshotId id;
        using var manager = new SnapshotManager();
        id = _data.CreateSnapshot(manager);
        string target = _data.Root + "-restored";
        Directory.CreateDirectory(target);
        try
        {
            using var cancel = new CancellationTokenSource();
            var reports = new List<long>();
            var options = new SnapshotOptions
            {
                BufferSize = Buffer,
                Progress = new InlineProgress<SnapshotProgress>(p =>
                {
                    reports.Add(p.BytesDone);
                    cancel.Cancel();
                }),
            };

            Assert.ThrowsAny<OperationCanceledException>(() => manager.Restore(_data.SnapshotDirectory(id), target, options: options, cancellationToken: cancel.Token));

            Assert.Single(reports);
            Assert.Empty(Directory.EnumerateFileSystemEntries(target));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }
}
