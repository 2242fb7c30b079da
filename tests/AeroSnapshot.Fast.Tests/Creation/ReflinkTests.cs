using System.IO.Hashing;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>On copy-on-write file systems the storage file is cloned, and the result is the same snapshot.</summary>
[Collection(LoopMounts.Name)]
public sealed class ReflinkTests
{
    [PrivilegedFact(Needs = ["mkfs.xfs"])]
    public void Storage_is_cloned_on_xfs_with_reflink_and_the_copy_is_identical() => AssertClonedOn("xfs");

    [PrivilegedFact(Needs = ["mkfs.btrfs"])]
    public void Storage_is_cloned_on_btrfs_and_the_copy_is_identical() => AssertClonedOn("btrfs");

    [PrivilegedFact(Needs = ["mkfs.ext4"])]
    public void Ext4_falls_back_to_the_streaming_copy()
    {
        using var fs = new LoopFileSystem("ext4", 64L << 20);
        (string copy, string source) = Snapshot(fs.MountPoint);

        Assert.DoesNotContain("shared", ExternalCommand.Run("filefrag", "-v", copy), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(copy));
    }

    private static void AssertClonedOn(string type)
    {
        using var fs = new LoopFileSystem(type, 320L << 20);
        (string copy, string source) = Snapshot(fs.MountPoint);

        // filefrag marks extents that another file also uses: proof that FICLONE, not a copy, ran.
        Assert.Contains("shared", ExternalCommand.Run("filefrag", "-v", copy), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(copy));
    }

    private static (string Copy, string Source) Snapshot(string mountPoint)
    {
        using var data = new TestDataDirectory(mountPoint);
        data.WriteStorage((8 << 20) + 123);
        data.WriteSchema("a.json", "{}");
        using var manager = new SnapshotManager();

        SnapshotId id = data.CreateSnapshot(manager);

        string snapshot = data.SnapshotDirectory(id);
        SnapshotManifest manifest = SnapshotManifest.ReadUtf8(File.ReadAllBytes(Path.Join(snapshot, "manifest.json")));
        Assert.Equal(Crc32.HashToUInt32(File.ReadAllBytes(data.StoragePath)), manifest.StorageChecksum.Value);

        // Keep the files for the caller's checks by copying their paths out of the disposable directory.
        string keptCopy = Path.Join(mountPoint, "copy.dat");
        string keptSource = Path.Join(mountPoint, "source.dat");
        File.Move(Path.Join(snapshot, "storage.dat"), keptCopy);
        File.Move(data.StoragePath, keptSource);
        return (keptCopy, keptSource);
    }
}
