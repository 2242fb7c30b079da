using System.Text;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.TestSupport;
using AeroSnapshot.TestSupport.Oracle;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>
/// Restore from a backup beside AeroDB: the storage file goes where the replaced directory's
/// database reads it (issue 24 item 5), AeroDB's running marker stops it (item 6), and what it
/// writes keeps the owner and the privacy of the directory it replaces (issue 25 item 2).
/// </summary>
public sealed class RestoreBackupLayoutAndOwnershipTests : IDisposable
{
    private readonly SnapshotManager _manager = new();
    private readonly TestDataDirectory _source;
    private readonly TestDataDirectory _target = new();
    private readonly string _archive;
    private readonly SnapshotId _id;

    public RestoreBackupLayoutAndOwnershipTests()
    {
        _source = BackupFixture.Build(out _id, out _, manager: _manager);
        _archive = BackupFixture.Scratch(_source, "b.tar");
        BackupFixture.Backup(_manager, _source.Root, _archive);
    }

    public void Dispose()
    {
        _manager.Dispose();
        BackupFixture.DeleteScratch(_source);
        _source.Dispose();
        _target.Dispose();
    }

    private byte[] BackedUpStorage => File.ReadAllBytes(Path.Join(_source.SnapshotDirectory(_id), "storage.dat"));

    [Fact]
    public void Restore_backup_into_a_directory_AeroDB_restored_puts_the_storage_file_under_data()
    {
        AeroDbRestoredDirectory.Write(_target.Root, Encoding.UTF8.GetBytes("old"), new Dictionary<string, string> { ["old.json"] = "{}" }, [], new DateTimeOffset(2025, 5, 5, 5, 5, 5, TimeSpan.Zero));

        _manager.RestoreBackup(_archive, _target.Root);

        Assert.Equal(BackedUpStorage, File.ReadAllBytes(Path.Join(_target.Root, "data", "storage.dat")));
        Assert.False(File.Exists(_target.StoragePath), "a second storage file at the top");
        Assert.Equal(StorageFileLocation.DataSubdirectory, DataDirectoryLayout.Detect(_target.Root).StorageLocation);
        Assert.True(File.Exists(Path.Join(_target.SchemaDirectory, "b", "deep", "orders.json")));
    }

    [Fact]
    public void Restore_backup_into_a_new_empty_directory_puts_the_storage_file_at_the_top_and_the_option_overrides_it()
    {
        _manager.RestoreBackup(_archive, _target.Root);
        Assert.Equal(BackedUpStorage, File.ReadAllBytes(_target.StoragePath));

        _manager.RestoreBackup(_archive, _target.Root, new SnapshotOptions { StorageLocation = StorageFileLocation.DataSubdirectory });
        Assert.Equal(BackedUpStorage, File.ReadAllBytes(Path.Join(_target.Root, "data", "storage.dat")));
        Assert.False(File.Exists(_target.StoragePath));
    }

    [Fact]
    public void Restore_backup_refuses_while_AeroDB_running_marker_exists_naming_it_and_changes_nothing()
    {
        _target.WriteStorage(Encoding.UTF8.GetBytes("old"));
        string marker = Path.Join(_target.Root, ".lock");
        File.WriteAllText(marker, string.Empty);
        IReadOnlyList<string> before = TestDataDirectory.TreeListing(_target.Root);

        SnapshotException error = Assert.Throws<SnapshotException>(() => _manager.RestoreBackup(_archive, _target.Root));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(marker, error.Path);
        Assert.Equal(before, TestDataDirectory.TreeListing(_target.Root));
        Assert.False(Directory.Exists(_target.Root + ".restore-backup-tmp"));
        Assert.False(File.Exists(Path.Join(_target.Root, "LOCK")));
    }

    [PrivilegedFact]
    public void Restore_backup_as_root_gives_everything_the_owner_of_the_directory_it_replaces_and_keeps_it_private()
    {
        _target.WriteStorage(Encoding.UTF8.GetBytes("old"));
        OwnerAndModes.GiveToServiceAccount(_target.Root);
        File.SetUnixFileMode(_target.Root, (UnixFileMode)0b111_000_000);
        File.SetUnixFileMode(_target.StoragePath, (UnixFileMode)0b110_000_000);

        _manager.RestoreBackup(_archive, _target.Root);

        Assert.Empty(OwnerAndModes.Offenders(_target.Root, allowedOtherBits: 0));
        Assert.Equal(0b111_000_000u, OwnerAndModes.Mode(_target.Root));
        Assert.Equal(0b110_000_000u, OwnerAndModes.Mode(_target.StoragePath));
        Assert.Equal(0b110_000_000u, OwnerAndModes.Mode(Path.Join(_target.Root, "wal", "wal.log")));
        Assert.Equal(0b111_000_000u, OwnerAndModes.Mode(Path.Join(_target.SchemaDirectory, "b", "deep")));
        Assert.Equal(BackedUpStorage, File.ReadAllBytes(_target.StoragePath));
    }

    [PrivilegedFact]
    public void A_group_readable_directory_keeps_its_group_read_and_nothing_wider()
    {
        _target.WriteStorage(Encoding.UTF8.GetBytes("old"));
        OwnerAndModes.GiveToServiceAccount(_target.Root);
        File.SetUnixFileMode(_target.Root, (UnixFileMode)0b111_101_000);
        File.SetUnixFileMode(_target.StoragePath, (UnixFileMode)0b110_100_000);

        _manager.RestoreBackup(_archive, _target.Root);

        Assert.Empty(OwnerAndModes.Offenders(_target.Root, allowedOtherBits: 0b000_101_000));
        Assert.Equal(0b110_100_000u, OwnerAndModes.Mode(Path.Join(_target.SchemaDirectory, "users.json")));
        Assert.Equal(0b111_101_000u, OwnerAndModes.Mode(Path.Join(_target.SchemaDirectory, "b")));
    }
}
