namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>A size-limited tmpfs mounted for one test: the real way to run out of space.</summary>
public sealed class TmpfsMount : IDisposable
{
    public TmpfsMount(string sizeOption)
    {
        MountPoint = Path.Join(Path.GetTempPath(), "aerosnap-tmpfs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(MountPoint);
        ExternalCommand.Run("mount", "-t", "tmpfs", "-o", "size=" + sizeOption, "tmpfs", MountPoint);
    }

    public string MountPoint { get; }

    public void Dispose()
    {
        ExternalCommand.TryRun("umount", "-l", MountPoint);
        try
        {
            Directory.Delete(MountPoint);
        }
        catch (IOException)
        {
            // Best effort: a busy mount point is removed by the lazy unmount later.
        }
    }
}
