using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// Simulates a power cut on an ext4 file system: <c>EXT4_IOC_SHUTDOWN</c> with
/// <c>EXT4_GOING_FLAGS_NOLOGFLUSH</c> stops all I/O at once without flushing the journal, so after
/// a remount only what was durably committed is there (DESIGN.md §3 measured exactly this).
/// </summary>
public static partial class PowerCut
{
    // _IOR('X', 125, __u32)
    private const uint Ext4IocShutdown = 0x8004587D;
    private const uint NoLogFlush = 2;

    // O_CLOEXEC: without it, a child process that another test starts while this descriptor is
    // open (mount, strace, sync…) inherits it and keeps the file system busy, so umount fails.
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC (same value on x64 and arm64)

    public static unsafe void Cut(string mountPoint)
    {
        int fd = open(mountPoint, ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"open {mountPoint}: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            uint flags = NoLogFlush;
            if (ioctl(fd, Ext4IocShutdown, &flags) < 0)
            {
                throw new IOException($"EXT4_IOC_SHUTDOWN on {mountPoint}: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static unsafe partial int ioctl(int fd, uint request, uint* argument);

    [LibraryImport("libc.so.6")]
    private static partial int close(int fd);
}

/// <summary>Thrown by a step hook after the power was cut: the "process" stops there.</summary>
public sealed class PowerCutException : Exception
{
    public PowerCutException()
        : base("power cut (test)")
    {
    }

    public PowerCutException(string message)
        : base(message)
    {
    }

    public PowerCutException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
