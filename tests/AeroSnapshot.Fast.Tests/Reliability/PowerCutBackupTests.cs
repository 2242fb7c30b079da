using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Tests.Support;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Suite 1, backup and restore-backup: the power is cut before every step each fires and right after
/// it returns, on a loop-mounted ext4 with a 600 s commit interval. After remounting, a backup is
/// absent or complete and valid (never a short file under its name); a restore leaves the data
/// directory complete, old or new, and clean removes the rest.
/// </summary>
[Collection(LoopMounts.Name)]
public sealed class PowerCutBackupTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Clock = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);

    public static readonly SnapshotStep[] BackupSteps =
        [SnapshotStep.Prepare, SnapshotStep.SyncWal, SnapshotStep.BackupWrite, SnapshotStep.BackupSync, SnapshotStep.BackupPublish];

    public static readonly SnapshotStep[] RestoreBackupSteps =
    [
        SnapshotStep.Prepare, SnapshotStep.RestoreRecover, SnapshotStep.RestoreBackupUnpack, SnapshotStep.RestoreBackupSync,
        SnapshotStep.RestoreBackupSwap, SnapshotStep.RestoreBackupRemoveOld,
    ];

    public static TheoryData<string> BackupCases() => [.. CutPoint.AllOf(BackupSteps)];

    public static TheoryData<string> RestoreCases() => [.. CutPoint.AllOf(RestoreBackupSteps)];

    [Fact]
    public void The_cut_points_are_exactly_the_steps_backup_and_restore_backup_fire()
    {
        using var data = Build(null);
        string archive = Path.Join(data.Root, "b.tar");
        var fired = new List<SnapshotStep>();
        using var manager = new SnapshotManager();
        Backup(manager, data, archive, new SnapshotOptions { TimeProvider = new FixedTimeProvider(Clock), BeforeStep = fired.Add });
        Assert.Equal(BackupSteps, fired);

        fired.Clear();
        using var target = new TestDataDirectory();
        manager.RestoreBackup(archive, target.Root, new SnapshotOptions { BeforeStep = fired.Add });
        Assert.Equal(RestoreBackupSteps, fired);
    }

    [PrivilegedTheory]
    [MemberData(nameof(BackupCases))]
    public void Power_cut_during_backup_leaves_no_archive_or_a_complete_valid_one(string cutPoint)
    {
        using var fs = new LoopFileSystem("ext4", 96L << 20, "commit=600");
        TestDataDirectory data = Build(fs.MountPoint);
        string archive = Path.Join(fs.MountPoint, "backup.tar");
        ExternalCommand.Run("sync");

        var hook = new PowerCutHook(fs.MountPoint, CutPoint.Parse(cutPoint));
        bool returned = Attempt(() =>
        {
            using var manager = new SnapshotManager();
            Backup(manager, data, archive, new SnapshotOptions { TimeProvider = new FixedTimeProvider(Clock.AddHours(1)), BeforeStep = hook.BeforeStep });
        });
        Remount(fs, cutPoint, hook, returned);

        using (var manager = new SnapshotManager())
        {
            if (File.Exists(archive))
            {
                BackupVerification verification = manager.VerifyBackup(archive);
                output.WriteLine($"cut at {cutPoint}: archive present and valid, snapshot {verification.Manifest.SnapshotId}");
            }
            else
            {
                output.WriteLine($"cut at {cutPoint}: no archive; leftovers: {string.Join(", ", Directory.GetFiles(fs.MountPoint).Select(Path.GetFileName))}");
                Assert.NotEqual(CutPoint.AfterReturnName, cutPoint);
            }
        }
    }

    [PrivilegedTheory]
    [MemberData(nameof(RestoreCases))]
    public void Power_cut_during_restore_backup_leaves_the_old_or_the_new_data_directory_complete(string cutPoint)
    {
        using var fs = new LoopFileSystem("ext4", 160L << 20, "commit=600");
        TestDataDirectory source = Build(Path.Join(fs.MountPoint));
        string archive = Path.Join(fs.MountPoint, "backup.tar");
        using (var manager = new SnapshotManager())
        {
            Backup(manager, source, archive, new SnapshotOptions { TimeProvider = new FixedTimeProvider(Clock.AddHours(1)) });
        }

        var target = new TestDataDirectory(fs.MountPoint);
        target.WriteStorage(300_000, seed: 77);
        target.WriteSchema("old/only.json", "{\"old\":true}");
        ExternalCommand.Run("sync");
        IReadOnlyList<string> oldTree = TestDataDirectory.TreeListing(target.Root);

        var hook = new PowerCutHook(fs.MountPoint, CutPoint.Parse(cutPoint));
        bool returned = Attempt(() =>
        {
            using var manager = new SnapshotManager();
            manager.RestoreBackup(archive, target.Root, new SnapshotOptions { BeforeStep = hook.BeforeStep });
        });
        Remount(fs, cutPoint, hook, returned);

        using (var manager = new SnapshotManager())
        {
            IReadOnlyList<string> afterCut = Without(TestDataDirectory.TreeListing(target.Root), "LOCK");
            IReadOnlyList<string> newTree = NewTree(manager, archive, fs.MountPoint);
            bool isOld = afterCut.SequenceEqual(oldTree);
            bool isNew = afterCut.SequenceEqual(newTree);
            output.WriteLine($"cut at {cutPoint}: the data directory is {(isOld ? "the old one" : isNew ? "the new one" : "NEITHER")}");
            Assert.True(isOld || isNew, string.Join("\n", afterCut));

            IReadOnlyList<string> handled = manager.RemoveLeftovers(target.Root);
            output.WriteLine($"clean: {string.Join("; ", handled)}");
            Assert.Equal(afterCut, Without(TestDataDirectory.TreeListing(target.Root), "LOCK"));
            Assert.False(Directory.Exists(target.Root + ".restore-backup-tmp"));
            if (cutPoint is "RestoreBackupRemoveOld#1" or CutPoint.AfterReturnName)
            {
                Assert.True(isNew);
            }
        }
    }

    private static List<string> Without(IReadOnlyList<string> listing, string name)
        => listing.Where(e => !e.StartsWith(name + " ", StringComparison.Ordinal)).ToList();

    /// <summary>What a fault-free restore of the archive makes, restored into a fresh directory on the same file system.</summary>
    private static List<string> NewTree(SnapshotManager manager, string archive, string parent)
    {
        var fresh = new TestDataDirectory(parent);
        manager.RestoreBackup(archive, fresh.Root);
        return Without(TestDataDirectory.TreeListing(fresh.Root), "LOCK");
    }

    private bool Attempt(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception ex) when (ex is PowerCutException || ex.InnerException is PowerCutException)
        {
            output.WriteLine($"cut: {ex.Message}");
            return false;
        }
    }

    private static void Remount(LoopFileSystem fs, string cutPoint, PowerCutHook hook, bool returned)
    {
        if (cutPoint == CutPoint.AfterReturnName)
        {
            Assert.True(returned);
            PowerCut.Cut(fs.MountPoint);
        }
        else
        {
            Assert.True(hook.Cut, $"never reached {cutPoint}: this case tested nothing");
        }

        fs.Unmount();
        fs.Mount("ext4", "commit=600");
    }

    private static TestDataDirectory Build(string? parent)
    {
        var data = new TestDataDirectory(parent);
        data.WriteStorage((1 << 20) + 3);
        data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
        data.WriteSchema("orders_v1.json", "{}");
        Directory.CreateDirectory(Path.Join(data.Root, "wal"));
        File.WriteAllBytes(Path.Join(data.Root, "wal", "wal.log"), WalBuilder.Valid([10, 200, 3000]).Bytes);
        using var manager = new SnapshotManager();
        data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = new FixedTimeProvider(Clock) });
        return data;
    }

    private static BackupResult Backup(SnapshotManager manager, TestDataDirectory data, string archive, SnapshotOptions options)
    {
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            return manager.Backup(data.Root, archive, null, executionLock, options);
        }
    }
}
