using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Support;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Suite 1, restore: the power is cut before every step restore fires, and right after it returns,
/// on a loop-mounted ext4 with a 600 s commit interval, for the two shapes a restore takes:
/// <list type="bullet">
/// <item><c>InPlace</c>: the data directory is restored from one of its own snapshots, so its
/// <c>snapshots/</c> (the very snapshot being restored) and lock file are moved into the new
/// directory, which gets an empty WAL (its own step), and exchanged in; the old WAL and other
/// metadata go with the old data;</item>
/// <item><c>InPlaceKeepWal</c>: the same with <c>keepWal</c>, so the WAL is moved over too;</item>
/// <item><c>OtherEmpty</c>: the target is another, empty data directory.</item>
/// </list>
/// After remounting, a data directory whose entries are still beside it is refused by discovery;
/// recovery (<see cref="SnapshotManager.RemoveLeftovers"/>, or simply the next restore) leaves the
/// target exactly as it was or exactly as a fault-free restore makes it, nothing beside it, and the
/// snapshot unchanged and valid.
/// </summary>
[Collection(LoopMounts.Name)]
public sealed class PowerCutRestoreTests(ITestOutputHelper output)
{
    private static readonly SnapshotStep[] InPlaceSteps =
    [
        SnapshotStep.RestoreRecover, SnapshotStep.Read, SnapshotStep.RestoreCopy, SnapshotStep.RestoreEmptyWal, SnapshotStep.RestoreSync,
        SnapshotStep.RestoreWriteIntent, SnapshotStep.RestoreMoveEntries, SnapshotStep.RestoreSyncMoves,
        SnapshotStep.RestoreSwap, SnapshotStep.RestoreSyncSwap, SnapshotStep.RestoreRemoveIntent, SnapshotStep.RestoreRemoveOld,
    ];

    // With the WAL kept there is no empty WAL to write.
    private static readonly SnapshotStep[] KeepWalSteps = [.. InPlaceSteps.Where(static step => step != SnapshotStep.RestoreEmptyWal)];

    public static TheoryData<string, string, int, string> Cases()
    {
        var cases = new TheoryData<string, string, int, string>();
        foreach (string recovery in new[] { "RemoveLeftovers", "Restore" })
        {
            foreach (int size in new[] { 0, (1 << 20) + 3, 9 << 20 })
            {
                foreach ((string target, SnapshotStep[] steps) in new[] { ("InPlace", InPlaceSteps), (OtherEmpty, InPlaceSteps) })
                {
                    foreach (string point in CutPoint.AllOf(steps))
                    {
                        cases.Add(target, point, size, recovery);
                    }
                }
            }

            // keepWal moves wal/ over too and writes no empty WAL: a different set of steps and
            // moves, so its steps are cut too (one size is enough for that).
            foreach (string point in CutPoint.AllOf(KeepWalSteps))
            {
                cases.Add(InPlaceKeepWal, point, (1 << 20) + 3, recovery);
            }
        }

        return cases;
    }

    private const string InPlaceKeepWal = "InPlaceKeepWal";
    private const string OtherEmpty = "OtherEmpty";

    [Theory]
    [InlineData("InPlace")]
    [InlineData(InPlaceKeepWal)]
    [InlineData(OtherEmpty)]
    public void The_cut_points_are_exactly_the_steps_restore_fires(string target)
    {
        using var scratch = new TestDataDirectory();
        var scenario = Scenario.Build(scratch.Root, target, storageBytes: 4096, sync: false);
        var fired = new List<SnapshotStep>();
        using var manager = new SnapshotManager();

        manager.Restore(scenario.Snapshot, scenario.Target, scenario.KeepWal, new SnapshotOptions { BeforeStep = fired.Add });

        Assert.Equal(target == InPlaceKeepWal ? KeepWalSteps : InPlaceSteps, fired);
    }

    /// <summary>
    /// The XFS cases (issue #17): every cut point of both shapes, one size, recovery by
    /// <see cref="SnapshotManager.RemoveLeftovers"/> (which the case follows with a restore, so both
    /// recoveries run), to keep CI time down.
    /// </summary>
    public static TheoryData<string, string, int, string> XfsCases()
    {
        var cases = new TheoryData<string, string, int, string>();
        foreach ((string target, SnapshotStep[] steps) in new[] { ("InPlace", InPlaceSteps), (OtherEmpty, InPlaceSteps) })
        {
            foreach (string point in CutPoint.AllOf(steps))
            {
                cases.Add(target, point, (1 << 20) + 3, "RemoveLeftovers");
            }
        }

        return cases;
    }

    [PrivilegedTheory(Needs = ["mkfs.ext4"])]
    [MemberData(nameof(Cases))]
    public void Power_cut_during_restore_leaves_the_target_as_it_was_or_fully_restored_once_recovered(string target, string cutPoint, int storageBytes, string recovery)
        => PowerCutDuringRestore(PowerCutFileSystem.Ext4(160L << 20), target, cutPoint, storageBytes, recovery);

    [PrivilegedTheory(Needs = ["mkfs.xfs"])]
    [MemberData(nameof(XfsCases))]
    public void Power_cut_during_restore_on_xfs_leaves_the_target_as_it_was_or_fully_restored_once_recovered(string target, string cutPoint, int storageBytes, string recovery)
        => PowerCutDuringRestore(PowerCutFileSystem.Xfs(), target, cutPoint, storageBytes, recovery);

    private void PowerCutDuringRestore(PowerCutFileSystem fileSystem, string target, string cutPoint, int storageBytes, string recovery)
    {
        CutPoint point = CutPoint.Parse(cutPoint);
        using LoopFileSystem fs = fileSystem.Create();
        var scenario = Scenario.Build(fs.MountPoint, target, storageBytes, sync: true);

        var hook = new PowerCutHook(fs.MountPoint, point);
        using (var manager = new SnapshotManager())
        {
            try
            {
                RestoreResult result = manager.Restore(scenario.Snapshot, scenario.Target, scenario.KeepWal, new SnapshotOptions { BeforeStep = hook.BeforeStep });

                // A cut after the swap is durable only costs tidying up: restore reports it and returns.
                Assert.True(point.IsAfterReturn || result.CleanupFailure is PowerCutException, $"restore returned without reaching {point}");
            }
            catch (SnapshotException ex) when (ex.InnerException is PowerCutException)
            {
                output.WriteLine($"restore failed at {ex.Step}; roll-back after the cut: {ex.CleanupFailure?.Message ?? "none"}");
            }
        }

        if (point.IsAfterReturn)
        {
            Assert.False(hook.Cut);
            PowerCut.Cut(fs.MountPoint);
        }

        Assert.True(hook.Cut || point.IsAfterReturn, $"restore never reached {point}: this case tested nothing");
        fileSystem.Remount(fs);

        using (var manager = new SnapshotManager())
        {
            string state = scenario.Describe();
            List<string> pending = scenario.SiblingsWithIntent();
            output.WriteLine($"cut {point}: after remount the target is {state}; beside it: {string.Join(", ", scenario.Siblings())}");
            if (point.IsAfterReturn)
            {
                Assert.Equal("restored", state);
                Assert.Empty(scenario.Siblings());
            }

            // Entries of the data directory may be beside it: recovering the database from what is
            // left would lose them, so discovery refuses until a clean-up or restore puts them back.
            if (pending.Count > 0)
            {
                var refused = Assert.Throws<SnapshotException>(() => manager.DiscoverNewestValid(scenario.Target));
                Assert.Equal(SnapshotStep.RestoreRecover, refused.Step);
            }
            else
            {
                _ = manager.DiscoverNewestValid(scenario.Target);
            }

            if (recovery == "RemoveLeftovers")
            {
                manager.RemoveLeftovers(scenario.Target);
                string recovered = scenario.Describe();
                output.WriteLine($"after RemoveLeftovers: {recovered}");
                Assert.Contains(recovered, new[] { "as before", "restored" });
                Assert.Empty(scenario.Siblings());
                Assert.Equal(scenario.SnapshotBefore, TreeListing.Of(scenario.Snapshot));
                Assert.True(manager.Verify(scenario.Snapshot).IsValid);
            }

            // The next restore (straight after the cut, or after the clean-up) completes the job.
            manager.Restore(scenario.Snapshot, scenario.Target, scenario.KeepWal);
            Assert.Equal("restored", scenario.Describe());

            // Judged again by a checker that shares no code with the library: the snapshot holds the
            // bytes its sources had when it was taken, and the target now holds exactly those.
            List<string> problems = [.. IndependentSnapshotOracle.Judge(scenario.Snapshot, scenario.SnapshotContent), .. IndependentSnapshotOracle.JudgeRestored(scenario.Target, scenario.SnapshotContent)];
            Assert.True(problems.Count == 0, $"the independent oracle found:\n{string.Join("\n", problems)}");
            Assert.Empty(scenario.Siblings());
            Assert.Equal(scenario.SnapshotBefore, TreeListing.Of(scenario.Snapshot));
            Assert.True(manager.Verify(scenario.Snapshot).IsValid);
        }

        if (scenario.Source != scenario.Target)
        {
            // Restoring into a new directory reads the source data directory's snapshot and nothing else changes there.
            Assert.Equal(scenario.SourceBefore, TreeListing.Of(scenario.Source));
        }
    }

    /// <summary>
    /// A data directory with a snapshot of an older state and everything a restore must keep (a
    /// WAL, a second snapshot, a lock file, other metadata), and a restore target; what the target
    /// looks like before, and what a fault-free restore makes of it (computed on a copy elsewhere).
    /// </summary>
    private sealed class Scenario
    {
        private Scenario(string source, string target, string snapshot, bool keepWal)
        {
            Source = source;
            Target = target;
            Snapshot = snapshot;
            KeepWal = keepWal;
        }

        public bool KeepWal { get; }

        public string Source { get; }

        public string Target { get; }

        public string Snapshot { get; }

        public bool TargetExisted { get; private set; }

        public List<string> TargetBefore { get; private set; } = [];

        public List<string> TargetRestored { get; private set; } = [];

        public List<string> SnapshotBefore { get; private set; } = [];

        public List<string> SourceBefore { get; private set; } = [];

        /// <summary>The source bytes when the restored snapshot was taken, read straight from the sources.</summary>
        public ExpectedContent SnapshotContent { get; private set; } = null!;

        public static Scenario Build(string root, string targetKind, int storageBytes, bool sync)
        {
            var data = new TestDataDirectory(root);
            data.WriteStorage(storageBytes, seed: storageBytes);
            data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
            data.WriteSchema("old.json", "{\"old\":true}");
            var clock = new FixedTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
            SnapshotId restored;
            ExpectedContent content;
            using (var manager = new SnapshotManager())
            {
                restored = data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = clock });
                content = ExpectedContent.Read(data.StoragePath, data.SchemaDirectory);

                // The database moved on after the snapshot: different storage, schemas changed,
                // added and removed, a WAL, a lock file, other metadata, and a newer snapshot.
                data.WriteStorage(storageBytes + 4099, seed: storageBytes + 1);
                data.WriteSchema("users/user_v1.json", "{\"type\":\"object\",\"v\":2}");
                data.WriteSchema("orders/orders_v2.json", "{}");
                File.Delete(Path.Join(data.SchemaDirectory, "old.json"));
                Directory.CreateDirectory(Path.Join(data.Root, "wal"));
                File.WriteAllText(Path.Join(data.Root, "wal", "wal.log"), "wal records since the snapshot");
                File.WriteAllText(Path.Join(data.Root, "LOCK"), string.Empty);
                File.WriteAllText(Path.Join(data.Root, "metadata", "extra.json"), "{\"kept\":true}");
                clock.Now = clock.Now.AddSeconds(1);
                data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = clock });
            }

            string target = targetKind == OtherEmpty ? Path.Join(root, "restored-" + Path.GetFileName(data.Root)) : data.Root;
            if (targetKind == OtherEmpty)
            {
                Directory.CreateDirectory(target);
            }

            var scenario = new Scenario(data.Root, target, data.SnapshotDirectory(restored), keepWal: targetKind == InPlaceKeepWal)
            {
                TargetExisted = Directory.Exists(target),
                TargetBefore = TreeListing.Of(target),
                SnapshotBefore = TreeListing.Of(data.SnapshotDirectory(restored)),
                SnapshotContent = content,
            };
            scenario.SourceBefore = TreeListing.Of(data.Root);
            scenario.TargetRestored = scenario.RestoreIntoCopy();
            if (sync)
            {
                ExternalCommand.Run("sync", "-f", root);
            }

            return scenario;
        }

        /// <summary>What a fault-free restore makes of the target: done on a copy on the ordinary disk.</summary>
        private List<string> RestoreIntoCopy()
        {
            using var twin = new TestDataDirectory();
            string twinTarget = Path.Join(twin.Root, "target");
            string snapshot = Snapshot;
            ExternalCommand.Run("cp", "-a", Target, twinTarget);
            if (Snapshot.StartsWith(Target + "/", StringComparison.Ordinal))
            {
                snapshot = Path.Join(twinTarget, Path.GetRelativePath(Target, Snapshot));
            }

            using var manager = new SnapshotManager();
            manager.Restore(snapshot, twinTarget, KeepWal);
            return TreeListing.Of(twinTarget);
        }

        public string Describe()
        {
            if (!Directory.Exists(Target))
            {
                return TargetExisted ? "missing (it existed before)" : "as before";
            }

            List<string> now = TreeListing.Of(Target);
            return now.SequenceEqual(TargetBefore) ? "as before"
                : now.SequenceEqual(TargetRestored) ? "restored"
                : "neither: " + string.Join(" | ", now.Except(TargetBefore).Except(TargetRestored).Take(8));
        }

        public List<string> Siblings()
        {
            string parent = Path.GetDirectoryName(Target)!;
            string prefix = "." + Path.GetFileName(Target) + ".restore-";
            return Directory.EnumerateFileSystemEntries(parent).Select(static p => Path.GetFileName(p)).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        }

        public List<string> SiblingsWithIntent()
            => Siblings().Where(s => File.Exists(Path.Join(Path.GetDirectoryName(Target)!, s, ".aerosnap-restore-intent"))).ToList();
    }
}
