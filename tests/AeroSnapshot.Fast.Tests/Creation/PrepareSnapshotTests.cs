using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>The optional pre-pause step does the lock-free work and leaves nothing a reader could see.</summary>
public sealed class PrepareSnapshotTests : IDisposable
{
    private readonly TestDataDirectory _data = new();
    private readonly SnapshotManager _manager = new();

    public void Dispose()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    [Fact]
    public void Prepare_creates_snapshots_removes_leftovers_and_warms_the_source()
    {
        _data.WriteStorage(3 << 20);
        SnapshotPreparation first = _manager.PrepareSnapshot(_data.Root, _data.StoragePath, warmSource: true);
        Directory.CreateDirectory(Path.Join(_data.SnapshotsDirectory, ".staging-20200101T000000Z"));

        SnapshotPreparation second = _manager.PrepareSnapshot(_data.Root, _data.StoragePath);

        Assert.True(first.SnapshotsDirectoryCreated);
        Assert.Equal(3 << 20, first.WarmedBytes);
        Assert.False(second.SnapshotsDirectoryCreated);
        Assert.Equal([".staging-20200101T000000Z"], second.RemovedLeftovers);
        Assert.Empty(_data.SnapshotsListing());
    }

    [Fact]
    public void Snapshot_after_prepare_is_the_same_as_without()
    {
        _data.WriteStorage(1 << 20);
        _data.WriteSchema("a.json", "{}");
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        SnapshotId plain = _data.CreateSnapshot(_manager, new SnapshotOptions { TimeProvider = clock });
        byte[] plainManifest = File.ReadAllBytes(Path.Join(_data.SnapshotDirectory(plain), "manifest.json"));
        clock.Now = clock.Now.AddSeconds(1);

        _manager.PrepareSnapshot(_data.Root, _data.StoragePath, warmSource: true);
        SnapshotId prepared = _data.CreateSnapshot(_manager, new SnapshotOptions { TimeProvider = clock });

        SnapshotManifest a = SnapshotManifest.ReadUtf8(plainManifest);
        SnapshotManifest b = SnapshotManifest.ReadUtf8(File.ReadAllBytes(Path.Join(_data.SnapshotDirectory(prepared), "manifest.json")));
        Assert.Equal(a.StorageChecksum, b.StorageChecksum);
        Assert.Equal(a.SchemaChecksums, b.SchemaChecksums);
    }

    [Fact]
    public void Prepare_with_a_missing_storage_file_fails_with_the_path_and_errno()
    {
        var error = Assert.Throws<SnapshotException>(() => _manager.PrepareSnapshot(_data.Root, _data.StoragePath));

        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(_data.StoragePath, error.Path);
        Assert.Equal(2, error.Errno);
    }
}
