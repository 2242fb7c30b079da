using AeroSnapshot.TestSupport.Requirements;

namespace AeroSnapshot.TestSupport.FileSystems;

/// <summary>
/// A size-limited tmpfs mounted for one test: the real way to run out of space, or, mounted
/// read-only, to refuse every write with EROFS. Mounted on a new directory under the temp
/// directory, or on <c>mountPoint</c> (an existing directory, left in place) when given.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private readonly bool _ownsMountPoint;
    private bool _disposed;

    public TmpfsMount(string sizeOption, string? mountPoint = null, string? options = null)
    {
        TestRequirements.Root("a tmpfs mount");
        _ownsMountPoint = mountPoint is null;
        MountPoint = mountPoint ?? Path.Join(Path.GetTempPath(), "aerosnap-tmpfs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(MountPoint);
        string all = "size=" + sizeOption + (options is null ? string.Empty : "," + options);
        ExternalCommand.Run("mount", "-t", "tmpfs", "-o", all, "tmpfs", MountPoint);
    }

    public string MountPoint { get; }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ExternalCommand.TryRun("umount", "-l", MountPoint);
        if (!_ownsMountPoint)
        {
            return;
        }

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
