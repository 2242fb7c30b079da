using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// The power-cut suites are only as good as the cut: if the remount saw unsynced data (a cached
/// block device, a journal flushed on shutdown, a short commit interval), every suite would pass
/// whatever the library did. This pins that the harness loses exactly what was not made durable.
/// </summary>
[Collection(LoopMounts.Name)]
public sealed class PowerCutHarnessTests
{
    [PrivilegedFact(Needs = ["mkfs.ext4"])]
    public void A_power_cut_loses_what_was_not_fsynced_and_keeps_what_was()
    {
        using var fs = new LoopFileSystem("ext4", 64L << 20, "commit=600");
        string synced = Path.Join(fs.MountPoint, "synced");
        string unsynced = Path.Join(fs.MountPoint, "unsynced");
        string renamed = Path.Join(fs.MountPoint, "renamed");
        File.WriteAllBytes(synced, [1, 2, 3]);
        FsyncFile(synced);
        NativeFile.SyncDirectory(fs.MountPoint);
        File.WriteAllBytes(unsynced, [4, 5, 6]);
        File.Move(synced, renamed); // a rename nobody made durable

        PowerCut.Cut(fs.MountPoint);
        Assert.ThrowsAny<IOException>(() => File.WriteAllBytes(Path.Join(fs.MountPoint, "after"), [7]));
        fs.Unmount();
        fs.Mount("ext4", "commit=600");

        Assert.Equal([1, 2, 3], File.ReadAllBytes(synced));
        Assert.False(File.Exists(unsynced), "a file never fsynced survived the cut: the harness does not cut the power");
        Assert.False(File.Exists(renamed), "an unsynced rename survived the cut");
    }

    /// <summary>fsync of a file by path, through the library's checked call.</summary>
    private static void FsyncFile(string path)
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle handle = NativeFile.OpenRegularForRead(path, out _);
        NativeFile.Sync(handle, path, dataOnly: false);
    }
}
