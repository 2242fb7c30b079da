using System.Text;
using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.TestSupport;
using AeroSnapshot.TestSupport.Oracle;

namespace AeroSnapshot.Fast.Tests.Restoring;

/// <summary>
/// Restore from a snapshot beside AeroDB: the storage file goes where the replaced directory's
/// database reads it (issue 24 item 5), AeroDB's running marker stops it (item 6), and what it
/// writes keeps the owner and the privacy of the directory it replaces (issue 25 item 2).
/// </summary>
public sealed class RestoreLayoutAndOwnershipTests : IDisposable
{
    private static readonly DateTimeOffset ReferenceInstant = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TestDataDirectory _source = new();
    private readonly TestDataDirectory _target = new();
    private readonly SnapshotManager _manager = new();
    private readonly byte[] _newStorage = Encoding.UTF8.GetBytes("restored storage " + new string('n', 3000));

    public RestoreLayoutAndOwnershipTests()
    {
        _source.WriteStorage(_newStorage);
        _source.WriteSchema("users.json", "{\"v\":2}");
        _source.WriteSchema("app/orders.json", "{\"o\":2}");
    }

    public void Dispose()
    {
        _manager.Dispose();
        _source.Dispose();
        _target.Dispose();
    }

    private string Snapshot() => _source.SnapshotDirectory(_source.CreateSnapshot(_manager));

    private string WriteAeroDbRestored()
    {
        string id = AeroDbRestoredDirectory.Write(
            _target.Root,
            Encoding.UTF8.GetBytes("old storage"),
            new Dictionary<string, string> { ["users.json"] = "{\"v\":1}", ["nested/x.json"] = "{}" },
            [],
            ReferenceInstant);
        File.WriteAllText(Path.Join(_target.Root, "data", "documents.dat"), "AeroDB's own document file");
        return id;
    }

    [Fact]
    public void Restore_into_a_directory_AeroDB_restored_puts_the_storage_file_under_data_where_its_database_reads_it()
    {
        string referenceSnapshot = WriteAeroDbRestored();

        RestoreResult result = _manager.Restore(Snapshot(), _target.Root);

        Assert.Equal(_newStorage, File.ReadAllBytes(Path.Join(_target.Root, "data", "storage.dat")));
        Assert.False(File.Exists(_target.StoragePath), "a second storage file at the top");
        Assert.Equal(["data/documents.dat"], result.Discarded);
        Assert.True(_manager.Verify(Path.Join(_target.SnapshotsDirectory, referenceSnapshot)).IsValid, "the snapshot AeroDB restored was carried over");
        Assert.Equal(StorageFileLocation.DataSubdirectory, DataDirectoryLayout.Detect(_target.Root).StorageLocation);
    }

    [Fact]
    public void The_storage_location_option_puts_it_where_it_says_whatever_the_directory_held()
    {
        WriteAeroDbRestored();

        RestoreResult result = _manager.Restore(Snapshot(), _target.Root, options: new SnapshotOptions { StorageLocation = StorageFileLocation.TopLevel });

        Assert.Equal(_newStorage, File.ReadAllBytes(_target.StoragePath));
        Assert.False(Directory.Exists(Path.Join(_target.Root, "data")));
        Assert.Equal(["data"], result.Discarded);
    }

    [Fact]
    public void Restore_refuses_while_AeroDB_running_marker_exists_naming_it_and_changes_nothing()
    {
        _target.WriteStorage(Encoding.UTF8.GetBytes("old"));
        string marker = Path.Join(_target.Root, ".lock");
        File.WriteAllText(marker, "4242");
        string snapshot = Snapshot();
        IReadOnlyList<string> before = TestDataDirectory.TreeListing(_target.Root);

        SnapshotException error = Assert.Throws<SnapshotException>(() => _manager.Restore(snapshot, _target.Root));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(marker, error.Path);
        Assert.Contains(marker, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, TestDataDirectory.TreeListing(_target.Root));
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(_target.Root)!, "." + Path.GetFileName(_target.Root) + ".restore-*"));
    }

    [PrivilegedFact]
    public void Restore_as_root_gives_everything_it_writes_the_owner_of_the_directory_it_replaces_and_keeps_it_private()
    {
        _target.WriteStorage(Encoding.UTF8.GetBytes("old"));
        Directory.CreateDirectory(Path.Join(_target.Root, "wal"));
        File.WriteAllText(Path.Join(_target.Root, "wal", "wal.log"), string.Empty);
        File.WriteAllText(Path.Join(_target.Root, "LOCK"), string.Empty);
        OwnerAndModes.GiveToServiceAccount(_target.Root);
        File.SetUnixFileMode(_target.Root, (UnixFileMode)0b111_000_000);
        File.SetUnixFileMode(_target.StoragePath, (UnixFileMode)0b110_000_000);
        File.SetUnixFileMode(Path.Join(_target.Root, "wal"), (UnixFileMode)0b111_101_000);
        File.SetUnixFileMode(Path.Join(_target.Root, "wal", "wal.log"), (UnixFileMode)0b110_100_000);
        File.SetUnixFileMode(Path.Join(_target.Root, "LOCK"), (UnixFileMode)0b110_000_000);

        _manager.Restore(Snapshot(), _target.Root);

        Assert.Empty(OwnerAndModes.Offenders(_target.Root, allowedOtherBits: 0, skip: static r => r.StartsWith("wal", StringComparison.Ordinal)));
        Assert.Equal(0b111_000_000u, OwnerAndModes.Mode(_target.Root));
        Assert.Equal(0b110_000_000u, OwnerAndModes.Mode(_target.StoragePath));
        Assert.Equal(0b110_000_000u, OwnerAndModes.Mode(Path.Join(_target.SchemaDirectory, "app", "orders.json")));
        Assert.Equal(0b111_000_000u, OwnerAndModes.Mode(Path.Join(_target.SchemaDirectory, "app")));

        // What replaces something keeps its mode: wal/ its 0750, the empty wal.log the old one's 0640, LOCK its 0600.
        Assert.Equal(0b111_101_000u, OwnerAndModes.Mode(Path.Join(_target.Root, "wal")));
        Assert.Equal(0b110_100_000u, OwnerAndModes.Mode(Path.Join(_target.Root, "wal", "wal.log")));
        Assert.Equal(0b110_000_000u, OwnerAndModes.Mode(Path.Join(_target.Root, "LOCK")));
        Assert.Empty(OwnerAndModes.Offenders(Path.Join(_target.Root, "wal"), allowedOtherBits: 0b000_101_000));
        Assert.Equal(_newStorage, File.ReadAllBytes(_target.StoragePath));
    }
}
