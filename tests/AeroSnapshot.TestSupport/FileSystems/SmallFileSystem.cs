using System.Globalization;
using System.Runtime.InteropServices;

namespace AeroSnapshot.TestSupport.FileSystems;

/// <summary>
/// A small real file system mounted for one test: a size-limited <see cref="TmpfsMount"/>, or an
/// ext4 <see cref="LoopFileSystem"/> (made with <c>-m 0</c>, so no blocks are reserved for root and
/// "available" means the same for root and everyone else). Can be filled to leave an exact number
/// of bytes or inodes free. Needs root; unmounted and deleted on dispose.
/// </summary>
public sealed partial class SmallFileSystem : IDisposable
{
    private readonly List<string> _fillers = [];
    private readonly IDisposable _mount;
    private int _fillerCount;

    private SmallFileSystem(string type, string mountPoint, IDisposable mount)
    {
        Type = type;
        MountPoint = mountPoint;
        _mount = mount;
        FillerDirectory = Path.Join(mountPoint, "filler");
        Directory.CreateDirectory(FillerDirectory);
    }

    public string Type { get; }

    public string MountPoint { get; }

    /// <summary>Where the filler files live (outside any data directory).</summary>
    public string FillerDirectory { get; }

    /// <summary>The block size statvfs reports (f_frsize), the unit space is granted in.</summary>
    public long BlockSize => (long)StatVfs().FragmentSize;

    /// <summary>Bytes an unprivileged writer may still use: f_bavail × f_frsize, what the library's check reads.</summary>
    public long AvailableBytes
    {
        get
        {
            StatVfsResult fs = StatVfs();
            return (long)(fs.AvailableBlocks * fs.FragmentSize);
        }
    }

    /// <summary>Inodes in use (f_files − f_ffree).</summary>
    public long UsedInodes
    {
        get
        {
            StatVfsResult fs = StatVfs();
            return (long)(fs.Files - fs.FreeFiles);
        }
    }

    /// <summary>Inodes an unprivileged writer may still create (f_favail).</summary>
    public long AvailableInodes => (long)StatVfs().AvailableInodes;

    /// <summary>Mounts a <paramref name="type"/> (<c>tmpfs</c> or <c>ext4</c>) of <paramref name="sizeBytes"/>, with at most <paramref name="inodes"/> inodes when given.</summary>
    public static SmallFileSystem Mount(string type, long sizeBytes, long? inodes = null)
    {
        switch (type)
        {
            case "tmpfs":
                var tmpfs = new TmpfsMount(
                    sizeBytes.ToString(CultureInfo.InvariantCulture),
                    options: inodes is { } count ? string.Create(CultureInfo.InvariantCulture, $"nr_inodes={count}") : null);
                return Wrap(type, tmpfs.MountPoint, tmpfs);
            case "ext4":
                string[] mkfs = inodes is { } n ? ["-m", "0", "-N", n.ToString(CultureInfo.InvariantCulture)] : ["-m", "0"];
                var ext4 = new LoopFileSystem(type, sizeBytes, mkfsArguments: mkfs);
                return Wrap(type, ext4.MountPoint, ext4);
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "tmpfs or ext4");
        }
    }

    private static SmallFileSystem Wrap(string type, string mountPoint, IDisposable mount)
    {
        try
        {
            return new SmallFileSystem(type, mountPoint, mount);
        }
        catch
        {
            mount.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fills the file system with filler files until exactly <paramref name="bytes"/> (rounded down
    /// to whole blocks) are available. On ext4 a large allocation can cost a metadata block or two,
    /// so it measures and corrects instead of trusting one allocation.
    /// </summary>
    public long LeaveAvailable(long bytes)
    {
        long target = bytes / BlockSize * BlockSize;
        for (int attempt = 0; attempt < 40; attempt++)
        {
            long available = AvailableBytes;
            if (available == target)
            {
                return available;
            }

            if (available > target)
            {
                // Ask for the difference; if the file system needs a metadata block for it, ask for less.
                long want = available - target;
                string filler = NextFiller();
                if (ExternalCommand.TryRun("fallocate", "-l", want.ToString(CultureInfo.InvariantCulture), filler).ExitCode != 0)
                {
                    File.Delete(filler);
                    _fillers.Remove(filler);
                    ExternalCommand.Run("sync", "-f", MountPoint);
                    long smaller = Math.Max(BlockSize, want - (4 * BlockSize));
                    ExternalCommand.TryRun("fallocate", "-l", smaller.ToString(CultureInfo.InvariantCulture), NextFiller());
                }
            }
            else
            {
                // Overshot (an extent block came out of the free space too): give the difference back
                // from the newest filler, or drop it if it is that small.
                string last = _fillers[^1];
                long length = new FileInfo(last).Length;
                long shortfall = (target - available + BlockSize - 1) / BlockSize * BlockSize;
                if (length > shortfall)
                {
                    using (var file = new FileStream(last, FileMode.Open, FileAccess.Write))
                    {
                        file.SetLength(length - shortfall);
                    }
                }
                else
                {
                    File.Delete(last);
                    _fillers.RemoveAt(_fillers.Count - 1);
                }

                ExternalCommand.Run("sync", "-f", MountPoint);
            }
        }

        throw new InvalidOperationException($"could not leave exactly {target} bytes available on {MountPoint} ({AvailableBytes} are)");
    }

    /// <summary>Creates empty files until exactly <paramref name="count"/> inodes are available.</summary>
    public void LeaveInodes(long count)
    {
        while (AvailableInodes > count)
        {
            long surplus = AvailableInodes - count;
            for (long i = 0; i < surplus; i++)
            {
                File.Create(NextFiller()).Dispose();
            }
        }

        if (AvailableInodes != count)
        {
            throw new InvalidOperationException($"could not leave exactly {count} inodes available on {MountPoint} ({AvailableInodes} are)");
        }
    }

    /// <summary>Removes every filler file (the space and inodes come back).</summary>
    public void RemoveFillers()
    {
        foreach (string filler in _fillers)
        {
            File.Delete(filler);
        }

        _fillers.Clear();

        // ext4 can reuse blocks freed in the running journal transaction only once it commits;
        // statfs already counts them as free, fallocate does not. syncfs commits it.
        ExternalCommand.Run("sync", "-f", MountPoint);
    }

    /// <summary>tmpfs only: changes the inode limit in place (<c>mount -o remount,nr_inodes=N</c>).</summary>
    public void RemountWithInodes(long inodes)
        => ExternalCommand.Run("mount", "-o", string.Create(CultureInfo.InvariantCulture, $"remount,nr_inodes={inodes}"), MountPoint);

    public void Dispose() => _mount.Dispose();

    private string NextFiller()
    {
        string path = Path.Join(FillerDirectory, string.Create(CultureInfo.InvariantCulture, $"f{_fillerCount++}"));
        _fillers.Add(path);
        return path;
    }

    private StatVfsResult StatVfs()
    {
        if (statvfs(MountPoint, out StatVfsResult result) != 0)
        {
            throw new IOException($"statvfs {MountPoint} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return result;
    }

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int statvfs(string path, out StatVfsResult result);

    /// <summary>struct statvfs on 64-bit Linux (glibc).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct StatVfsResult
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong FreeBlocks;
        public ulong AvailableBlocks;
        public ulong Files;
        public ulong FreeFiles;
        public ulong AvailableInodes;
        public ulong FileSystemId;
        public ulong Flags;
        public ulong MaxNameLength;
        private unsafe fixed int _spare[6];
    }
}
