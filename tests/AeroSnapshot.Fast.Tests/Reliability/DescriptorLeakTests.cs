using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Precopy;
using AeroSnapshot.Fast.Tests.Backup;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Every operation closes every descriptor it opened before it returns, whether it succeeded or
/// failed. A leaked descriptor is not only a slow exhaustion of the process's limit: an open
/// directory keeps a snapshot's space from being freed after prune, and an open file of the old
/// data keeps its blocks after a restore. Found by the mutation runs of issue #17 (a removed
/// <c>Dispose</c> of a handle failed no test; the finalizer closes it some time later). Each
/// case lists <c>/proc/self/fd</c> before and after, counting only descriptors on paths under
/// the test's own directory, so tests running beside it do not count.
/// </summary>
public sealed class DescriptorLeakTests
{
    [Fact]
    public void Create_verify_discover_list_and_prune_close_everything_they_open()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out SnapshotId first, out _, 300_000, manager);

        AssertClosesAll(data.Root, () =>
        {
            var clock = new FixedTimeProvider(BackupFixture.SnapshotClock.AddMinutes(1));
            data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = clock });
            Assert.True(manager.Verify(data.SnapshotDirectory(first)).IsValid);
            Assert.True(manager.DiscoverNewestValid(data.Root).Found);
            Assert.Equal(2, manager.ListSnapshots(data.Root).Count);
            Assert.Single(manager.Prune(data.Root, keep: 1).Deleted);
        });
    }

    /// <summary>Each way of syncing the schema files closes each file it wrote (with syncfs, nothing else would).</summary>
    [Theory]
    [InlineData(nameof(Fast.Creation.SchemaSyncMode.Batched))]
    [InlineData(nameof(Fast.Creation.SchemaSyncMode.EachAsWritten))]
    [InlineData(nameof(Fast.Creation.SchemaSyncMode.SyncFs))]
    public void Create_closes_every_schema_file_it_wrote_whichever_way_it_syncs_them(string modeName)
    {
        var mode = Enum.Parse<Fast.Creation.SchemaSyncMode>(modeName);
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out _, out _, 300_000, manager);

        AssertClosesAll(data.Root, () => data.CreateSnapshot(manager, new SnapshotOptions
        {
            TimeProvider = new FixedTimeProvider(BackupFixture.SnapshotClock.AddMinutes(1)),
            SchemaSync = mode,
        }));
    }

    [Fact]
    public void Restore_in_place_closes_everything_it_opens()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out SnapshotId id, out _, 300_000, manager);
        File.WriteAllText(Path.Join(data.Root, "LOCK"), "");

        AssertClosesAll(data.Root, () => manager.Restore(data.SnapshotDirectory(id), data.Root));
    }

    [Fact]
    public void Backup_verify_backup_and_restore_from_backup_close_everything_they_open()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out _, out _, 300_000, manager);
        string archive = BackupFixture.Scratch(data, "backup.tar");
        string restored = BackupFixture.Scratch(data, "restored");
        Directory.CreateDirectory(restored);
        try
        {
            AssertClosesAll(data.Root, () =>
            {
                BackupFixture.Backup(manager, data.Root, archive);
                manager.VerifyBackup(archive);
                manager.RestoreBackup(archive, restored);
            });
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Fact]
    public void Precopy_and_the_create_that_uses_it_close_everything_they_open()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out _, out _, 300_000, manager);

        AssertClosesAll(data.Root, () =>
        {
            using (SnapshotPrecopy precopy = manager.PrecopySnapshot(data.Root, data.StoragePath, data.SchemaDirectory))
            {
                File.AppendAllText(data.StoragePath, "appended after the pre-copy");
                data.WriteSchema("later.json", "{}");
                var clock = new FixedTimeProvider(BackupFixture.SnapshotClock.AddMinutes(1));
                data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = clock, Precopy = precopy });
            }
        });
    }

    [Fact]
    public void A_failed_verify_and_a_refused_restore_close_everything_they_opened()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out SnapshotId id, out _, 300_000, manager);
        string snapshot = data.SnapshotDirectory(id);
        Damage.FlipBit(Path.Join(snapshot, "storage.dat"), 1000);

        AssertClosesAll(data.Root, () =>
        {
            Assert.False(manager.Verify(snapshot).IsValid);
            Assert.Throws<SnapshotException>(() => manager.Restore(snapshot, data.Root));
        });
    }

    /// <summary>
    /// Refused in the middle of the copy: storage and the schema files before it are copied (and
    /// some wait in the batch of files to sync) when the damaged one fails its checksum.
    /// </summary>
    [Theory]
    [InlineData("schemas/users.json")]
    [InlineData("schemas/b/deep/orders.json")]
    [InlineData("storage.dat")]
    public void A_restore_refused_in_the_middle_of_its_copy_closes_everything_it_opened(string damaged)
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out SnapshotId id, out _, 300_000, manager);
        string snapshot = data.SnapshotDirectory(id);
        Damage.FlipBit(Path.Join(snapshot, damaged), 3);
        string target = BackupFixture.Scratch(data, "restored");
        Directory.CreateDirectory(target);
        try
        {
            // The probe counts paths starting with data.Root: the scratch directory beside it too.
            AssertClosesAll(data.Root, () => Assert.Throws<SnapshotException>(() => manager.Restore(snapshot, target)));
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Fact]
    public void The_probe_sees_a_descriptor_left_open_under_the_directory()
    {
        using TestDataDirectory data = new();
        data.WriteStorage(10);
        FileStream? leaked = null;
        try
        {
            Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertClosesAll(data.Root, () => leaked = File.OpenRead(data.StoragePath)));
        }
        finally
        {
            leaked?.Dispose();
        }
    }

    private static void AssertClosesAll(string root, Action operation)
    {
        List<string> before = DescriptorsUnder(root);
        operation();
        Assert.Equal(before, DescriptorsUnder(root));
    }

    /// <summary>The paths of this process's open descriptors that lie under <paramref name="root"/> (or beside it with its name as prefix).</summary>
    private static List<string> DescriptorsUnder(string root)
        => OpenDescriptors.OfThisProcess()
            .Select(static d => d.Target)
            .Where(t => t.StartsWith(root, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
}
