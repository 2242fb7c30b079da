using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Precopy;
using AeroSnapshot.Fast.Tests.Support;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// The power is cut during a pre-copy, between the pre-copy and the pause, before every step of the
/// pause that completes it (the tail appended, a schema file added), and right after it returns, on
/// loop-mounted ext4 (600 s commit interval) and XFS. After remounting only the previous snapshot,
/// or the previous one plus the complete new one, may be seen; the new one must hold the sources as
/// they were at the pause (the pre-copied prefix included: it must have been made durable before the
/// pause, which syncs only the tail); every leftover goes with RemoveLeftovers.
/// </summary>
[Collection(LoopMounts.Name)]
public sealed class PowerCutPrecopyTests(ITestOutputHelper output)
{
    private const int StorageBytes = (9 << 20) + 3;   // two strong-hash chunks

    public static TheoryData<string> Ext4Cases()
    {
        var cases = new TheoryData<string> { "DuringPrecopy", "AfterPrecopy" };
        foreach (SnapshotStep step in PowerCutTests.CreateSteps)
        {
            cases.Add(step.ToString());
        }

        cases.Add("AfterReturn");
        return cases;
    }

    public static TheoryData<string> XfsCases() => new() { "DuringPrecopy", "AfterPrecopy", nameof(SnapshotStep.SyncStorage), nameof(SnapshotStep.Publish), "AfterReturn" };

    [PrivilegedTheory(Needs = ["mkfs.ext4"])]
    [MemberData(nameof(Ext4Cases))]
    public void Power_cut_around_a_precopied_snapshot_on_ext4_leaves_the_previous_set_or_it_plus_the_complete_new_snapshot(string cutPoint)
        => Run(PowerCutFileSystem.Ext4(96L << 20), cutPoint);

    [PrivilegedTheory(Needs = ["mkfs.xfs"])]
    [MemberData(nameof(XfsCases))]
    public void Power_cut_around_a_precopied_snapshot_on_xfs_leaves_the_previous_set_or_it_plus_the_complete_new_snapshot(string cutPoint)
        => Run(PowerCutFileSystem.Xfs(), cutPoint);

    private void Run(PowerCutFileSystem fileSystem, string cutPoint)
    {
        using LoopFileSystem fs = fileSystem.Create();
        var data = new TestDataDirectory(fs.MountPoint);
        data.WriteStorage(StorageBytes, seed: 5);
        data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
        ExternalCommand.Run("sync");
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        SnapshotId previous;
        using (var manager = new SnapshotManager())
        {
            previous = data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = clock });
        }

        ExpectedContent before = ExpectedContent.Read(data.StoragePath, data.SchemaDirectory);
        clock.Now = clock.Now.AddSeconds(1);
        SnapshotId next = SnapshotId.FromDateTimeOffset(clock.Now);
        bool cut = false;
        bool returned = false;
        ExpectedContent atPause = before;
        using (var manager = new SnapshotManager())
        {
            SnapshotPrecopy? precopy = null;
            if (cutPoint == "DuringPrecopy")
            {
                // The pre-copy has no step hook: cut from a timer while it copies (test code only;
                // the library itself runs on the caller's thread).
                using var timer = new Timer(_ => { PowerCut.Cut(fs.MountPoint); cut = true; }, null, Random.Shared.Next(1, 40), Timeout.Infinite);
                try
                {
                    precopy = manager.PrecopySnapshot(data.Root, data.StoragePath, data.SchemaDirectory);
                    output.WriteLine("the pre-copy finished before the cut");
                }
                catch (SnapshotException ex)
                {
                    output.WriteLine($"pre-copy failed after the cut: {ex.Message}");
                }

                SpinWait.SpinUntil(() => cut, TimeSpan.FromSeconds(5));
                precopy?.Dispose();
            }
            else
            {
                precopy = manager.PrecopySnapshot(data.Root, data.StoragePath, data.SchemaDirectory);

                // What the database does meanwhile, made durable by the database itself.
                using (FileStream stream = new(data.StoragePath, FileMode.Append))
                {
                    stream.Write(new byte[100_003]);
                }

                data.WriteSchema("orders_v1.json", "{}");
                ExternalCommand.Run("sync");
                atPause = ExpectedContent.Read(data.StoragePath, data.SchemaDirectory);
                if (cutPoint == "AfterPrecopy")
                {
                    PowerCut.Cut(fs.MountPoint);
                    cut = true;
                }
                else
                {
                    returned = CreateWithCut(manager, data, fs, clock, precopy, cutPoint, ref cut);
                }

                precopy.Dispose();
            }
        }

        if (cutPoint == "AfterReturn")
        {
            Assert.True(returned);
            PowerCut.Cut(fs.MountPoint);
        }
        else
        {
            Assert.True(cut, $"never reached {cutPoint}: this case tested nothing");
        }

        fileSystem.Remount(fs);

        using (var manager = new SnapshotManager())
        {
            var valid = new List<SnapshotId>();
            foreach (string entry in Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory).Order(StringComparer.Ordinal))
            {
                if (SnapshotId.TryParse(Path.GetFileName(entry), out SnapshotId id))
                {
                    Assert.True(manager.Verify(entry).IsValid, entry);
                    List<string> problems = IndependentSnapshotOracle.Judge(entry, id == previous ? before : atPause);
                    Assert.True(problems.Count == 0, $"the independent oracle rejects {entry}:\n{string.Join("\n", problems)}");
                    valid.Add(id);
                }
            }

            output.WriteLine($"after remount: {string.Join(", ", valid)}; leftovers: {string.Join(", ", Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory).Select(Path.GetFileName).Where(n => !SnapshotId.TryParse(n, out _)))}");
            if (cutPoint == "AfterReturn")
            {
                Assert.Equal([previous, next], valid);
            }
            else
            {
                Assert.True(valid.SequenceEqual([previous]) || valid.SequenceEqual([previous, next]), string.Join(", ", valid));
            }

            Assert.Equal(valid[^1], manager.DiscoverNewestValid(data.Root).SelectedId);
            manager.RemoveLeftovers(data.Root);
            Assert.All(Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory), static e => Assert.True(SnapshotId.TryParse(Path.GetFileName(e), out _), e));
        }
    }

    private bool CreateWithCut(SnapshotManager manager, TestDataDirectory data, LoopFileSystem fs, FixedTimeProvider clock, SnapshotPrecopy precopy, string cutPoint, ref bool cut)
    {
        bool fired = false;
        var options = new SnapshotOptions
        {
            TimeProvider = clock,
            Precopy = precopy,
            BeforeStep = step =>
            {
                if (step.ToString() == cutPoint && !fired)
                {
                    fired = true;
                    PowerCut.Cut(fs.MountPoint);
                    throw new PowerCutException();
                }
            },
        };
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            try
            {
                SnapshotResult result = manager.CreateSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, executionLock, options);
                Assert.True(result.Precopy!.StorageReused, result.Precopy.ToString());
                return true;
            }
            catch (SnapshotException ex) when (ex.InnerException is PowerCutException)
            {
                output.WriteLine($"cut before {cutPoint}; clean-up after the cut: {ex.CleanupFailure?.Message ?? "none needed"}");
                cut = fired;
                return false;
            }
        }
    }
}
