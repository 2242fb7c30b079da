using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Pruning;
using AeroSnapshot.Fast.Tests.Support;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Suite 1, prune: the power is cut before every step prune fires (each of its four durable steps,
/// for each of the two snapshots it deletes, and its first verification read) and right after it
/// returns, on a loop-mounted ext4 with a 600 s commit interval. After remounting: the snapshots are
/// the previous set minus some of those prune meant to delete (oldest first), never a snapshot
/// half-deleted under its own name, never the newest valid one or the corrupt one gone; leftovers
/// go with <see cref="SnapshotManager.RemoveLeftovers"/> and a second prune finishes the job.
/// </summary>
[Collection(LoopMounts.Name)]
public sealed class PowerCutPruneTests(ITestOutputHelper output)
{
    private const int Keep = 2;

    /// <summary>
    /// The steps a fault-free prune of <see cref="Setup"/> fires after verifying, in order: two
    /// deletions, oldest first. <see cref="SnapshotStep.Read"/> (fired before every file verification
    /// reads) is left out here; its first occurrence is a cut point of its own.
    /// </summary>
    public static readonly SnapshotStep[] DeletionSteps =
    [
        SnapshotStep.PruneRenameAside, SnapshotStep.PruneSyncRename, SnapshotStep.PruneDelete, SnapshotStep.PruneSyncDelete,
        SnapshotStep.PruneRenameAside, SnapshotStep.PruneSyncRename, SnapshotStep.PruneDelete, SnapshotStep.PruneSyncDelete,
    ];

    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (int size in new[] { 0, (1 << 20) + 3, 9 << 20 })
        {
            foreach (string point in CutPoint.AllOf([SnapshotStep.Read, .. DeletionSteps]))
            {
                cases.Add(point, size);
            }
        }

        return cases;
    }

    [Fact]
    public void The_cut_points_are_exactly_the_steps_prune_fires()
    {
        using var data = new TestDataDirectory();
        (SnapshotId[] ids, _, _) = Setup(data, storageBytes: 4096, sync: null);
        var fired = new List<SnapshotStep>();
        using var manager = new SnapshotManager();

        PruneResult result = manager.Prune(data.Root, Keep, new SnapshotOptions { BeforeStep = fired.Add });

        Assert.Equal([ids[0], ids[1]], result.Deleted);
        Assert.Contains(SnapshotStep.Read, fired);
        Assert.All(fired.TakeWhile(static s => s == SnapshotStep.Read), static s => Assert.Equal(SnapshotStep.Read, s));
        Assert.Equal(DeletionSteps, fired.SkipWhile(static s => s == SnapshotStep.Read));
    }

    /// <summary>The XFS cases (issue #17): every cut point, one size, to keep CI time down.</summary>
    public static TheoryData<string, int> XfsCases()
    {
        var cases = new TheoryData<string, int>();
        foreach (string point in CutPoint.AllOf([SnapshotStep.Read, .. DeletionSteps]))
        {
            cases.Add(point, (1 << 20) + 3);
        }

        return cases;
    }

    [PrivilegedTheory(Needs = ["mkfs.ext4"])]
    [MemberData(nameof(Cases))]
    public void Power_cut_during_prune_leaves_the_previous_set_minus_the_oldest_deletions_and_nothing_half_deleted(string cutPoint, int storageBytes)
        => PowerCutDuringPrune(PowerCutFileSystem.Ext4(160L << 20), cutPoint, storageBytes);

    [PrivilegedTheory(Needs = ["mkfs.xfs"])]
    [MemberData(nameof(XfsCases))]
    public void Power_cut_during_prune_on_xfs_leaves_the_previous_set_minus_the_oldest_deletions_and_nothing_half_deleted(string cutPoint, int storageBytes)
        => PowerCutDuringPrune(PowerCutFileSystem.Xfs(), cutPoint, storageBytes);

    private void PowerCutDuringPrune(PowerCutFileSystem fileSystem, string cutPoint, int storageBytes)
    {
        CutPoint point = CutPoint.Parse(cutPoint);
        using LoopFileSystem fs = fileSystem.Create();
        var data = new TestDataDirectory(fs.MountPoint);
        (SnapshotId[] ids, SnapshotId corrupt, Dictionary<SnapshotId, ExpectedContent> contents) = Setup(data, storageBytes, fs.MountPoint);
        Dictionary<SnapshotId, List<string>> before = ids.ToDictionary(id => id, id => TreeListing.Of(data.SnapshotDirectory(id)));
        List<string> sourcesBefore = Sources(data);

        var hook = new PowerCutHook(fs.MountPoint, point);
        using (var manager = new SnapshotManager())
        {
            try
            {
                manager.Prune(data.Root, Keep, new SnapshotOptions { BeforeStep = hook.BeforeStep });
                Assert.True(point.IsAfterReturn, $"prune returned without reaching {point}");
                PowerCut.Cut(fs.MountPoint);
            }
            catch (SnapshotException ex) when (ex.InnerException is PowerCutException)
            {
                Assert.True(hook.Cut);
            }
        }

        fileSystem.Remount(fs);

        using (var manager = new SnapshotManager())
        {
            List<SnapshotId> present = SnapshotIds(data);
            output.WriteLine($"cut {point}: after remount {string.Join(", ", present)}; other entries: {string.Join(", ", OtherEntries(data))}");

            // Oldest first: ids[0], then ids[1]. Whatever else happened, the survivors are one of these sets.
            SnapshotId[][] allowed = point.IsAfterReturn
                ? [[ids[2], ids[3], ids[4]]]
                : [ids, ids[1..], ids[2..]];
            Assert.Contains(allowed, set => set.SequenceEqual(present));

            // Every snapshot still under its name is byte for byte what it was: none is half-deleted,
            // and the corrupt one is left exactly as found (it is evidence).
            foreach (SnapshotId id in present)
            {
                Assert.Equal(before[id], TreeListing.Of(data.SnapshotDirectory(id)));
                Assert.Equal(id != corrupt, manager.Verify(data.SnapshotDirectory(id)).IsValid);

                // The independent oracle agrees: the corrupt one is rejected, every other one holds its sources' bytes.
                List<string> problems = IndependentSnapshotOracle.Judge(data.SnapshotDirectory(id), contents[id]);
                Assert.True(id == corrupt ? problems.Count > 0 : problems.Count == 0, $"oracle on {id}: {string.Join("; ", problems)}");
            }

            DiscoveryResult discovery = manager.DiscoverNewestValid(data.Root);
            Assert.Equal(ids[4], discovery.SelectedId);
            Assert.Empty(discovery.Skipped);

            manager.RemoveLeftovers(data.Root);
            Assert.Equal(present.Select(static id => id.ToString()), Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            // Recovery is complete when the same prune, run again, ends where an uninterrupted one would.
            PruneResult again = manager.Prune(data.Root, Keep);
            Assert.Equal([ids[4], ids[3]], again.Kept);
            Assert.Equal([ids[2], ids[3], ids[4]], SnapshotIds(data));
        }

        Assert.Equal(sourcesBefore, Sources(data));
    }

    /// <summary>
    /// Five snapshots one second apart, each with its own schema content; the middle one is made
    /// corrupt, so prune (keep 2) keeps the two newest, deletes the two oldest and must not touch it.
    /// Everything is made durable (<c>sync -f</c> on the file system) before the case starts.
    /// </summary>
    private static (SnapshotId[] Ids, SnapshotId Corrupt, Dictionary<SnapshotId, ExpectedContent> Contents) Setup(TestDataDirectory data, int storageBytes, string? sync)
    {
        data.WriteStorage(storageBytes, seed: storageBytes);
        data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var ids = new SnapshotId[5];
        var contents = new Dictionary<SnapshotId, ExpectedContent>();
        using (var manager = new SnapshotManager())
        {
            for (int i = 0; i < ids.Length; i++)
            {
                data.WriteSchema("generation.json", $"{{\"generation\":{i}}}");
                ids[i] = data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = clock });
                contents[ids[i]] = ExpectedContent.Read(data.StoragePath, data.SchemaDirectory);
                clock.Now = clock.Now.AddSeconds(1);
            }
        }

        Damage.FlipBit(Path.Join(data.SnapshotDirectory(ids[2]), "schemas", "generation.json"), 3);
        if (sync is not null)
        {
            ExternalCommand.Run("sync", "-f", sync);
        }

        return (ids, ids[2], contents);
    }

    private static List<SnapshotId> SnapshotIds(TestDataDirectory data)
        => Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory)
            .Select(static e => SnapshotId.TryParse(Path.GetFileName(e), out SnapshotId id) ? id : (SnapshotId?)null)
            .OfType<SnapshotId>()
            .Order()
            .ToList();

    private static IEnumerable<string?> OtherEntries(TestDataDirectory data)
        => Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory).Select(Path.GetFileName).Where(static n => !SnapshotId.TryParse(n, out _));

    private static List<string> Sources(TestDataDirectory data)
        => [.. TreeListing.Of(Path.Join(data.Root, "metadata")), File.ReadAllBytes(data.StoragePath).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), System.IO.Hashing.Crc32.HashToUInt32(File.ReadAllBytes(data.StoragePath)).ToString("x8", System.Globalization.CultureInfo.InvariantCulture)];
}
