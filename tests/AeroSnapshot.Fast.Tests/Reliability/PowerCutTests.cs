using System.IO.Hashing;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Verification;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Suite 1: the power is cut before every durable step of create (and right after it returns), on a
/// loop-mounted ext4 with a 600 s commit interval, so only what the protocol made durable survives.
/// After remounting, discovery must see the previous valid set or that set plus the complete new
/// snapshot, never anything else; the sources must be unchanged.
/// </summary>
[Collection(LoopMounts.Name)]
public sealed class PowerCutTests(ITestOutputHelper output)
{
    /// <summary>The steps create fires, in order: each is a cut point (the rest of <see cref="SnapshotStep"/> belongs to prune and restore).</summary>
    public static readonly SnapshotStep[] CreateSteps =
    [
        SnapshotStep.CheckLock, SnapshotStep.Prepare, SnapshotStep.SyncWal, SnapshotStep.CopyStorage, SnapshotStep.SyncStorage,
        SnapshotStep.CopySchemas, SnapshotStep.SyncSchemas, SnapshotStep.WriteManifest, SnapshotStep.SyncManifest,
        SnapshotStep.SyncStaging, SnapshotStep.Publish, SnapshotStep.SyncParent,
    ];

    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (int size in new[] { 0, (1 << 20) + 3, 9 << 20 })
        {
            foreach (SnapshotStep step in CreateSteps)
            {
                cases.Add(step.ToString(), size);
            }

            cases.Add("AfterReturn", size);
        }

        return cases;
    }

    [Fact]
    public void The_cut_points_are_exactly_the_steps_create_fires()
    {
        // If create gains, loses or reorders a step, the cases above must follow, or a step goes untested.
        using var data = new TestDataDirectory();
        data.WriteStorage(4096);
        data.WriteSchema("a/b.json", "{}");
        var fired = new List<SnapshotStep>();
        using var manager = new SnapshotManager();

        data.CreateSnapshot(manager, new SnapshotOptions { BeforeStep = fired.Add });

        Assert.Equal(CreateSteps, fired);
    }

    /// <summary>The XFS cases (issue #17): every cut point, one size, to keep CI time down.</summary>
    public static TheoryData<string, int> XfsCases()
    {
        var cases = new TheoryData<string, int>();
        foreach (SnapshotStep step in CreateSteps)
        {
            cases.Add(step.ToString(), (1 << 20) + 3);
        }

        cases.Add("AfterReturn", (1 << 20) + 3);
        return cases;
    }

    [PrivilegedTheory(Needs = ["mkfs.ext4"])]
    [MemberData(nameof(Cases))]
    public void Power_cut_during_create_leaves_the_previous_set_or_the_previous_set_plus_the_new_snapshot(string cutPoint, int storageBytes)
        => PowerCutDuringCreate(PowerCutFileSystem.Ext4(96L << 20), cutPoint, storageBytes);

    [PrivilegedTheory(Needs = ["mkfs.xfs"])]
    [MemberData(nameof(XfsCases))]
    public void Power_cut_during_create_on_xfs_leaves_the_previous_set_or_the_previous_set_plus_the_new_snapshot(string cutPoint, int storageBytes)
        => PowerCutDuringCreate(PowerCutFileSystem.Xfs(), cutPoint, storageBytes);

    private void PowerCutDuringCreate(PowerCutFileSystem fileSystem, string cutPoint, int storageBytes)
    {
        using LoopFileSystem fs = fileSystem.Create();
        var data = new TestDataDirectory(fs.MountPoint);
        data.WriteStorage(storageBytes, seed: storageBytes);
        data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
        data.WriteSchema("orders_v1.json", "{}");
        ExternalCommand.Run("sync");
        ExpectedContent sources = ExpectedContent.Read(data.StoragePath, data.SchemaDirectory);
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        SnapshotId previous;
        using (var manager = new SnapshotManager())
        {
            previous = data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = clock });
        }

        Dictionary<string, uint> sourcesBefore = Checksums(data.Root, exclude: "snapshots");
        clock.Now = clock.Now.AddSeconds(1);
        SnapshotId next = SnapshotId.FromDateTimeOffset(clock.Now);
        bool returned = false;
        bool cut = false;
        using (var manager = new SnapshotManager())
        {
            var options = new SnapshotOptions
            {
                TimeProvider = clock,
                BeforeStep = step =>
                {
                    if (step.ToString() == cutPoint)
                    {
                        PowerCut.Cut(fs.MountPoint);
                        cut = true;
                        throw new PowerCutException();
                    }
                },
            };
            try
            {
                data.CreateSnapshot(manager, options);
                returned = true;
            }
            catch (SnapshotException ex) when (ex.InnerException is PowerCutException)
            {
                output.WriteLine($"cut before {cutPoint}; clean-up after the cut: {ex.CleanupFailure?.Message ?? "none needed"}");
            }
        }

        if (cutPoint == "AfterReturn")
        {
            Assert.True(returned);
            PowerCut.Cut(fs.MountPoint);
        }
        else
        {
            Assert.True(cut, $"create never reached {cutPoint}: this case tested nothing");
        }

        fileSystem.Remount(fs);

        using (var manager = new SnapshotManager())
        {
            DiscoveryResult discovery = manager.DiscoverNewestValid(data.Root);
            Assert.True(discovery.Found);
            List<SnapshotId> snapshots = ValidSnapshotIds(manager, data, sources);
            output.WriteLine($"after remount: {string.Join(", ", snapshots)}; ignored: {string.Join(", ", discovery.IgnoredEntries)}; skipped: {discovery.Skipped.Count}");
            Assert.Empty(discovery.Skipped);
            if (cutPoint == "AfterReturn")
            {
                Assert.Equal([previous, next], snapshots);
            }
            else
            {
                Assert.True(snapshots.SequenceEqual([previous]) || snapshots.SequenceEqual([previous, next]), string.Join(", ", snapshots));
            }

            Assert.Equal(snapshots[^1], discovery.SelectedId);
            manager.RemoveLeftovers(data.Root);
            Assert.All(Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory), static e => Assert.True(SnapshotId.TryParse(Path.GetFileName(e), out _), e));
        }

        Assert.Equal(sourcesBefore, Checksums(data.Root, exclude: "snapshots"));
    }

    private static List<SnapshotId> ValidSnapshotIds(SnapshotManager manager, TestDataDirectory data, ExpectedContent sources)
    {
        var valid = new List<SnapshotId>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory).Order(StringComparer.Ordinal))
        {
            if (SnapshotId.TryParse(Path.GetFileName(entry), out SnapshotId id))
            {
                VerificationReport report = manager.Verify(entry);
                Assert.True(report.IsValid, $"{entry}: {string.Join("; ", report.Problems.Select(static p => p.Message))}");

                // Judged again by a checker that shares no code with the library, against the source bytes.
                List<string> problems = IndependentSnapshotOracle.Judge(entry, sources);
                Assert.True(problems.Count == 0, $"the independent oracle rejects {entry}:\n{string.Join("\n", problems)}");
                valid.Add(id);
            }
        }

        return valid;
    }

    private static Dictionary<string, uint> Checksums(string root, string exclude)
        => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).StartsWith(exclude, StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(root, f), static f => Crc32.HashToUInt32(File.ReadAllBytes(f)));
}
