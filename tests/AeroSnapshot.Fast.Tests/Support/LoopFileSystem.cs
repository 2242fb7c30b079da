namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// A real file system in an image file, loop-mounted for one test (ext4, XFS or btrfs), as
/// DESIGN.md §7 describes. Needs root; unmounted and deleted on dispose.
/// </summary>
public sealed class LoopFileSystem : IDisposable
{
    public LoopFileSystem(string type, long sizeBytes, string mountOptions = "")
    {
        string id = Guid.NewGuid().ToString("N")[..8];
        ImagePath = Path.Join(Path.GetTempPath(), $"aerosnap-{type}-{id}.img");
        MountPoint = Path.Join(Path.GetTempPath(), $"aerosnap-{type}-{id}");
        using (FileStream image = File.Create(ImagePath))
        {
            image.SetLength(sizeBytes);
        }

        switch (type)
        {
            case "ext4":
                ExternalCommand.Run("mkfs.ext4", "-q", "-F", ImagePath);
                break;
            case "xfs":
                ExternalCommand.Run("mkfs.xfs", "-q", "-f", "-m", "reflink=1", ImagePath);
                break;
            case "btrfs":
                ExternalCommand.Run("mkfs.btrfs", "-q", "-f", ImagePath);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "ext4, xfs or btrfs");
        }

        Directory.CreateDirectory(MountPoint);
        string options = mountOptions.Length == 0 ? "loop" : "loop," + mountOptions;
        ExternalCommand.Run("mount", "-t", type, "-o", options, ImagePath, MountPoint);
    }

    public string ImagePath { get; }

    public string MountPoint { get; }

    /// <summary>Unmounts, retrying while the kernel still reports the mount busy; throws with umount's output otherwise.</summary>
    public void Unmount()
    {
        (int exitCode, string output) = (0, string.Empty);
        for (int attempt = 0; attempt < 20; attempt++)
        {
            (exitCode, output) = ExternalCommand.TryRun("umount", MountPoint);
            if (exitCode == 0)
            {
                return;
            }

            Thread.Sleep(100);
        }

        throw new InvalidOperationException($"umount {MountPoint} failed ({exitCode}): {output}");
    }

    public void Mount(string type, string mountOptions = "")
        => ExternalCommand.Run("mount", "-t", type, "-o", mountOptions.Length == 0 ? "loop" : "loop," + mountOptions, ImagePath, MountPoint);

    public void Dispose()
    {
        if (ExternalCommand.TryRun("umount", MountPoint).ExitCode != 0)
        {
            ExternalCommand.TryRun("umount", "-l", MountPoint);
        }

        try
        {
            Directory.Delete(MountPoint);
            File.Delete(ImagePath);
        }
        catch (IOException)
        {
            // A lazily unmounted point is removed once it is free; the image is only disk space.
        }
    }
}
