using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Tests.Support;
using Change = AeroSnapshot.Fast.Tests.Support.DataDirectoryChange;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>
/// Issue 28, capture then complete: whatever the database does once the lock is released, the
/// published snapshot holds the sources as they were at the capture, byte for byte, and is the
/// snapshot a one-call create at that moment would have made (its manifest's bytes and its tree).
/// On XFS and btrfs the capture clones the storage file; on ext4 (this machine's /tmp) it copies.
/// </summary>
[Collection(LoopMounts.Name)]
public sealed class CaptureSnapshotTests
{
    private static readonly DateTimeOffset Instant = new(2026, 12, 8, 9, 0, 0, TimeSpan.Zero);

    private static readonly Gen<Change> AnyChange = Gen.OneOf<Change>(
        Gen.Int[1, 200_000].Select(static n => (Change)new Change.Append(n)),
        Gen.Select(Gen.Double[0, 1], Gen.Int[1, 3000], static (at, n) => (Change)new Change.Overwrite(at, n)),
        Gen.Double[0, 1].Select(static f => (Change)new Change.Truncate(f)),
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 5], Gen.Int[0, 3000], static (d, f, n) => (Change)new Change.WriteSchema(d, f, n)),
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 5], static (d, f) => (Change)new Change.DeleteSchema(d, f)));

    private static readonly Gen<(int Size, (int Dir, int File, int Bytes)[] Schemas, Change[] Changes, ulong Seed)> Case = Gen.Select(
        Gen.OneOf(Gen.Int[0, 16], Gen.Int[0, 700_000]),
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 5], Gen.Int[0, 3000]).Array[0, 8],
        AnyChange.Array[1, 5],
        Gen.ULong);

    [Fact]
    public void On_ext4_a_completed_capture_holds_the_sources_as_at_the_capture_and_equals_a_plain_create()
        => CaptureChangeComplete(parent: null, expectClone: false, iterations: 40);

    [PrivilegedTheory(Needs = ["mkfs.xfs", "mkfs.btrfs"])]
    [InlineData("xfs")]
    [InlineData("btrfs")]
    public void On_a_cloning_file_system_the_capture_clones_and_the_completed_snapshot_holds_the_sources_as_at_the_capture(string fileSystem)
    {
        using var fs = new LoopFileSystem(fileSystem, 512L << 20);
        CaptureChangeComplete(fs.MountPoint, expectClone: true, iterations: 12);
    }

    [Fact]
    public void Disposing_a_capture_that_was_not_completed_removes_it_and_publishes_nothing()
    {
        using var manager = new SnapshotManager();
        using var data = TypicalData();
        var executionLock = new GlobalExecutionLock();
        string staging;
        using (executionLock.Acquire())
        {
            using SnapshotCapture capture = manager.CaptureSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, executionLock, Options());
            staging = capture.StagingDirectory;
            Assert.True(Directory.Exists(staging));
        }

        // The capture made snapshots/, so removing it leaves the data directory as it was.
        Assert.False(Directory.Exists(staging));
        Assert.False(Directory.Exists(data.SnapshotsDirectory));
    }

    [Fact]
    public void A_completion_cancelled_through_its_token_publishes_nothing_and_removes_the_capture()
    {
        using var manager = new SnapshotManager();
        using var data = TypicalData();
        using (SnapshotCapture capture = CaptureUnderLock(manager, data))
        {
            using var cancel = new CancellationTokenSource();
            cancel.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => capture.Complete(cancel.Token));
            Assert.False(Directory.Exists(capture.StagingDirectory));
            Assert.Throws<ObjectDisposedException>(() => capture.Complete());
        }

        Assert.Empty(Directory.Exists(data.SnapshotsDirectory) ? Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory) : []);
    }

    [Fact]
    public void A_crash_between_capture_and_completion_leaves_no_visible_snapshot_and_a_leftover_clean_removes()
    {
        using var manager = new SnapshotManager();
        using var data = TypicalData();
        var executionLock = new GlobalExecutionLock();
        SnapshotCapture capture;
        using (executionLock.Acquire())
        {
            capture = manager.CaptureSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, executionLock, Options());
        }

        // The process dies here: nothing completes or disposes the capture.
        Assert.False(manager.DiscoverNewestValid(data.Root).Found);
        Assert.Equal([Path.GetFileName(capture.StagingDirectory)], manager.RemoveLeftovers(data.Root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory));
    }

    [Fact]
    public void A_capture_without_the_execution_lock_is_refused_and_writes_nothing()
    {
        using var manager = new SnapshotManager();
        using var data = TypicalData();

        var error = Assert.Throws<SnapshotException>(() => manager.CaptureSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, new GlobalExecutionLock(), Options()));

        Assert.Equal(SnapshotStep.CheckLock, error.Step);
        Assert.False(Directory.Exists(data.SnapshotsDirectory));
    }

    [Fact]
    public void Complete_twice_returns_the_first_result_and_a_disposed_capture_cannot_be_completed()
    {
        using var manager = new SnapshotManager();
        using var data = TypicalData();
        var executionLock = new GlobalExecutionLock();
        SnapshotCapture published;
        SnapshotCapture abandoned;
        using (executionLock.Acquire())
        {
            published = manager.CaptureSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, executionLock, Options());
        }

        SnapshotResult first = published.Complete();
        Assert.Same(first, published.Complete());
        Assert.True(published.IsCompleted);
        published.Dispose();
        Assert.True(Directory.Exists(first.Directory));

        using (executionLock.Acquire())
        {
            abandoned = manager.CaptureSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, executionLock, Options(Instant.AddSeconds(1)));
        }

        abandoned.Dispose();
        Assert.Throws<ObjectDisposedException>(() => abandoned.Complete());
    }

    private static void CaptureChangeComplete(string? parent, bool expectClone, int iterations)
    {
        Case.Sample(c =>
        {
            using var manager = new SnapshotManager();
            using var data = new TestDataDirectory(parent);
            var random = new Random((int)c.Seed);
            data.WriteStorage(Change.Bytes(random, c.Size));
            foreach ((int dir, int file, int bytes) in c.Schemas)
            {
                data.WriteSchema(Change.SchemaName(dir, file), Change.Bytes(random, bytes));
            }

            ExpectedContent atCapture = ExpectedContent.Read(data.StoragePath, data.SchemaDirectory);
            var executionLock = new GlobalExecutionLock();
            SnapshotCapture capture;
            using (executionLock.Acquire())
            {
                capture = manager.CaptureSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, executionLock, Options());
            }

            // The lock is released: the database writes again before the completion runs.
            foreach (Change change in c.Changes)
            {
                change.Apply(data, random);
            }

            SnapshotResult result;
            using (capture)
            {
                result = capture.Complete();
            }

            Assert.Equal(expectClone && c.Size > 0 ? StorageCopyMethod.Reflinked : StorageCopyMethod.Streamed, result.StorageCopy);
            Assert.Empty(IndependentSnapshotOracle.Judge(result.Directory, atCapture));

            // A one-call create of the sources as they were at the capture, at the same instant: the same bytes.
            byte[] manifest = File.ReadAllBytes(Path.Join(result.Directory, "manifest.json"));
            IReadOnlyList<string> listing = TestDataDirectory.TreeListing(result.Directory);
            TestDataDirectory.DeleteTree(result.Directory);
            atCapture.WriteTo(data.StoragePath, data.SchemaDirectory);
            SnapshotId plain = data.CreateSnapshot(manager, Options());
            Assert.Equal(manifest, File.ReadAllBytes(Path.Join(data.SnapshotDirectory(plain), "manifest.json")));
            Assert.Equal(listing, TestDataDirectory.TreeListing(data.SnapshotDirectory(plain)));
        }, iter: iterations, threads: 1);
    }

    /// <summary>A capture taken under a lock of its own, released before it returns (as a database releases it before completing).</summary>
    private static SnapshotCapture CaptureUnderLock(SnapshotManager manager, TestDataDirectory data)
    {
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            return manager.CaptureSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, executionLock, Options());
        }
    }

    private static SnapshotOptions Options(DateTimeOffset? instant = null) => new() { TimeProvider = new FixedTimeProvider(instant ?? Instant) };

    private static TestDataDirectory TypicalData()
    {
        var data = new TestDataDirectory();
        data.WriteStorage((1 << 20) + 5, seed: 3);
        data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
        data.WriteSchema("orders_v1.json", "[1,2,3]");
        return data;
    }
}
