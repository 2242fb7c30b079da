using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.Tests.Checkpoint;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>
/// Backup packs the snapshot the WAL continues, or nothing. It accepts the snapshots verify and
/// discovery accept (a reference snapshot with unlisted files is packed whole, its unlisted files
/// named), and never packs a snapshot older than the one <c>checkpoint.json</c> names: the WAL was
/// reset after that one, so the writes in between would be in neither part of the archive.
/// </summary>
public sealed class BackupSnapshotChoiceTests : IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "aerosnap-choice-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly SnapshotManager _manager = new();

    public void Dispose()
    {
        _manager.Dispose();
        AeroDbFixtures.RemoveTree(_root);
    }

    private string Output => Path.Join(_root, "out", "backup.tar");

    [Fact]
    public void After_AeroDBs_checkpoint_the_backup_packs_the_checkpoints_snapshot_whole_and_names_its_unlisted_files()
    {
        string data = AeroDbFixtures.Unpack("checkpoint/data-dir.tar", _root);
        SnapshotId checkpoint = CheckpointMarker.ReadIn(data)!.SnapshotId;

        BackupResult result = Backup(data);

        Assert.Equal(checkpoint, result.Manifest.SnapshotId);
        Assert.Empty(result.Skipped);
        Assert.Equal(["schemas/app/items.json"], result.UnverifiedFiles);
        Assert.Empty(result.LeftOut);
        Dictionary<string, byte[]> archive = BackupTests.ReadAll(Output).ToDictionary(static e => e.Name, static e => e.Data);
        string snapshot = Path.Join(data, "snapshots", checkpoint.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Join(snapshot, "schemas", "app", "items.json")), archive["snapshot/schemas/app/items.json"]);
        Assert.Equal(File.ReadAllBytes(Path.Join(snapshot, "storage.dat")), archive["snapshot/storage.dat"]);
        Assert.Equal(File.ReadAllBytes(Path.Join(data, "wal", "wal.log")), archive["wal/wal.log"]);
        Assert.Equal(3, AeroDbWal.ReadAll(archive["wal/wal.log"]));
    }

    [Fact]
    public void When_AeroDBs_checkpoint_snapshot_no_longer_verifies_the_backup_refuses_rather_than_pack_the_older_one()
    {
        string data = AeroDbFixtures.Unpack("checkpoint/data-dir.tar", _root);
        SnapshotId checkpoint = CheckpointMarker.ReadIn(data)!.SnapshotId;
        Damage.ReplaceSameSize(Path.Join(data, "snapshots", checkpoint.ToString(), "storage.dat"));

        AssertRefused(data, checkpoint, "not valid (AERO_DATA_CORRUPTION");
    }

    [Fact]
    public void When_the_checkpoints_snapshot_is_gone_the_backup_refuses()
    {
        string data = AeroDbFixtures.Unpack("checkpoint/data-dir.tar", _root);
        SnapshotId checkpoint = CheckpointMarker.ReadIn(data)!.SnapshotId;
        AeroDbFixtures.RemoveTree(Path.Join(data, "snapshots", checkpoint.ToString()));

        AssertRefused(data, checkpoint, "is not under");
    }

    [Fact]
    public void Our_own_checkpoint_whose_snapshot_no_longer_verifies_is_refused_and_a_later_snapshot_is_packed()
    {
        using TestDataDirectory data = CheckpointTests.Build(out _);
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));
        data.CreateSnapshot(_manager, new SnapshotOptions { TimeProvider = clock });
        clock.Now = clock.Now.AddMinutes(1);
        SnapshotId checkpoint = CheckpointTests.Run(_manager, data, new SnapshotOptions { TimeProvider = clock }).SnapshotId;
        File.WriteAllBytes(CheckpointTests.WalPath(data), AeroDbWal.Valid(4));
        Damage.ReplaceSameSize(Path.Join(data.SnapshotDirectory(checkpoint), "storage.dat"));

        AssertRefused(data.Root, checkpoint, "not valid (AERO_DATA_CORRUPTION");

        // A snapshot taken after the checkpoint is continued by the WAL too (it only grew since).
        clock.Now = clock.Now.AddMinutes(1);
        SnapshotId later = data.CreateSnapshot(_manager, new SnapshotOptions { TimeProvider = clock });
        Assert.Equal(later, Backup(data.Root).Manifest.SnapshotId);
    }

    [Fact]
    public void A_checkpoint_json_that_is_not_a_marker_stops_the_backup_as_metadata_corruption()
    {
        string data = AeroDbFixtures.Unpack("checkpoint/data-dir.tar", _root);
        File.WriteAllText(Path.Join(data, "checkpoint.json"), "{\"snapshot_id\": 7}");

        SnapshotException error = Assert.Throws<SnapshotException>(() => Backup(data));

        Assert.Equal(SnapshotErrorCode.MetadataCorruption, error.Code);
        Assert.Equal(Path.Join(data, "checkpoint.json"), error.Path);
        Assert.Equal("D2", error.Invariant);
        Assert.False(File.Exists(Output));
    }

    [Fact]
    public void A_reference_snapshot_holding_a_name_that_is_not_utf8_is_packed_without_it_and_says_so()
    {
        string data = Path.Join(_root, "data");
        string snapshot = AeroDbFixtures.Unpack("snapshots/not-utf8.tar", Path.Join(data, "snapshots"));

        BackupResult result = Backup(data);

        Assert.Equal(Path.GetFileName(snapshot), result.Manifest.SnapshotId.ToString());
        Assert.Equal(["schemas/app/items.json"], result.UnverifiedFiles);
        Assert.Equal(["schemas/bad-\\xff\\xfe.json"], result.LeftOut);
        Assert.DoesNotContain(BackupTests.ReadAll(Output), static e => e.Name.Contains("bad-", StringComparison.Ordinal));
        Assert.False(result.Manifest.WalPresent);
    }

    private void AssertRefused(string data, SnapshotId checkpoint, string why)
    {
        SnapshotException error = Assert.Throws<SnapshotException>(() => Backup(data));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(SnapshotSeverity.Error, error.Severity);
        Assert.Equal("D1", error.Invariant);
        Assert.Equal("a backup pairs the WAL with the snapshot it continues", error.Rule);
        Assert.Equal(Path.Join(data, "checkpoint.json"), error.Path);
        Assert.Contains($"continues snapshot {checkpoint}", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Output)!));
    }

    private BackupResult Backup(string data)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Output)!);
        return BackupFixture.Backup(_manager, data, Output, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }
}
