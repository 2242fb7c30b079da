using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.Tests.Support;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Suite 1, checkpoint: the power is cut before every step a checkpoint fires (the snapshot's own and
/// the checkpoint's) and right after it returns, on a loop-mounted ext4 with a 600 s commit interval.
/// After remounting, the WAL is the old one byte for byte or empty, never torn; after clean, either
/// the checkpoint happened (empty WAL, checkpoint.json naming a valid snapshot) or it did not (old
/// WAL, no checkpoint.json), and nothing of it is left over.
/// </summary>
[Collection(LoopMounts.Name)]
public sealed class PowerCutCheckpointTests(ITestOutputHelper output)
{
    public static readonly SnapshotStep[] CheckpointSteps =
    [
        .. PowerCutTests.CreateSteps,
        SnapshotStep.CheckpointWriteIntent, SnapshotStep.CheckpointWriteMarker, SnapshotStep.CheckpointResetWal, SnapshotStep.CheckpointRemoveIntent,
    ];

    public static TheoryData<string> Cases() => [.. CutPoint.AllOf(CheckpointSteps)];

    [Fact]
    public void The_cut_points_are_exactly_the_steps_checkpoint_fires()
    {
        using var data = new TestDataDirectory();
        data.WriteStorage(4096);
        Directory.CreateDirectory(Path.Join(data.Root, "wal"));
        File.WriteAllBytes(Path.Join(data.Root, "wal", "wal.log"), WalBuilder.Valid([1, 2]).Bytes);
        var fired = new List<SnapshotStep>();
        using var manager = new SnapshotManager();

        Run(manager, data, new SnapshotOptions { BeforeStep = fired.Add });

        Assert.Equal(CheckpointSteps, fired);
    }

    [PrivilegedTheory]
    [MemberData(nameof(Cases))]
    public void Power_cut_during_checkpoint_leaves_the_old_wal_or_an_empty_one_and_clean_completes_or_undoes(string cutPoint)
    {
        using var fs = new LoopFileSystem("ext4", 96L << 20, "commit=600");
        var data = new TestDataDirectory(fs.MountPoint);
        data.WriteStorage((1 << 20) + 3);
        data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
        byte[] wal = WalBuilder.Valid(Enumerable.Range(0, 200).Select(static i => i * 37 % 5000).ToArray()).Bytes;
        Directory.CreateDirectory(Path.Join(data.Root, "wal"));
        File.WriteAllBytes(WalPath(data), wal);
        ExternalCommand.Run("sync");

        var hook = new PowerCutHook(fs.MountPoint, CutPoint.Parse(cutPoint));
        bool returned = false;
        using (var manager = new SnapshotManager())
        {
            try
            {
                Run(manager, data, new SnapshotOptions { BeforeStep = hook.BeforeStep });
                returned = true;
            }
            catch (Exception ex) when (ex is PowerCutException || ex.InnerException is PowerCutException)
            {
                output.WriteLine($"cut before {cutPoint}: {ex.Message}");
            }
        }

        if (cutPoint == CutPoint.AfterReturnName)
        {
            Assert.True(returned);
            PowerCut.Cut(fs.MountPoint);
        }
        else
        {
            Assert.True(hook.Cut, $"checkpoint never reached {cutPoint}: this case tested nothing");
        }

        fs.Unmount();
        fs.Mount("ext4", "commit=600");

        byte[] afterCut = File.ReadAllBytes(WalPath(data));
        Assert.True(afterCut.Length == 0 || afterCut.AsSpan().SequenceEqual(wal), $"the WAL is torn: {afterCut.Length} bytes, neither {wal.Length} nor 0");

        using (var manager = new SnapshotManager())
        {
            IReadOnlyList<string> handled = manager.RemoveLeftovers(data.Root);
            output.WriteLine($"clean: {string.Join("; ", handled)}");
            byte[] afterClean = File.ReadAllBytes(WalPath(data));
            string marker = Path.Join(data.Root, "checkpoint.json");
            if (afterClean.Length == 0)
            {
                CheckpointMarker read = CheckpointMarker.ReadUtf8(File.ReadAllBytes(marker));
                Assert.True(manager.Verify(data.SnapshotDirectory(read.SnapshotId)).IsValid);
            }
            else
            {
                Assert.Equal(wal, afterClean);
                Assert.False(File.Exists(marker), "checkpoint.json claims a reset that did not happen");
            }

            if (cutPoint is "CheckpointRemoveIntent#1" or CutPoint.AfterReturnName)
            {
                Assert.Empty(afterClean);
            }

            Assert.False(File.Exists(Path.Join(data.Root, ".checkpoint-intent")));
            Assert.False(File.Exists(marker + ".tmp"));
            Assert.True(manager.ValidateWal(WalPath(data)).Bytes == afterClean.Length);
        }
    }

    private static string WalPath(TestDataDirectory data) => Path.Join(data.Root, "wal", "wal.log");

    private static CheckpointResult Run(SnapshotManager manager, TestDataDirectory data, SnapshotOptions options)
    {
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            return manager.Checkpoint(data.Root, data.StoragePath, data.SchemaDirectory, WalPath(data), executionLock, options);
        }
    }
}
