using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// The remaining single system calls the operations need, each with its errno turned into a
/// <see cref="NativeIOException"/> naming the path, or, where a failure is only advice, ignored by
/// design and said so.
/// </summary>
internal static partial class NativeFile
{
    /// <summary>Opens an existing regular file for reading and writing, never through a link, never blocking on a FIFO.</summary>
    public static SafeFileHandle OpenRegularForWrite(string path, out FileStatus status)
        => AdoptRegularFile(OpenExisting(path, OpenFlags.ReadWrite), path, out status);

    /// <summary>
    /// Opens <paramref name="path"/> read-only without following a link or blocking on a FIFO;
    /// null when nothing is there. The caller checks what it opened (<see cref="Status(SafeFileHandle, string)"/>).
    /// </summary>
    public static SafeFileHandle? TryOpenForRead(string path)
    {
        int fd = Sys.Open(path, OpenFlags.ReadOnly | OpenFlags.NoFollow | OpenFlags.NonBlocking | OpenFlags.CloseOnExec, 0);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        int errno = Errors.LastErrno;
        return errno == Errno.ENOENT ? null : throw Errors.For("open", path, errno);
    }

    /// <summary>
    /// Like <see cref="CreateNew"/>, opened for reading and writing; null when something already
    /// stands at <paramref name="path"/> (EEXIST), which is never opened.
    /// </summary>
    public static SafeFileHandle? TryCreateNewReadWrite(string path, uint mode)
    {
        int fd = Sys.Open(path, OpenFlags.ReadWrite | OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.NoFollow | OpenFlags.CloseOnExec, mode);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        int errno = Errors.LastErrno;
        return errno == Errno.EEXIST ? null : throw Errors.For("create", path, errno);
    }

    /// <summary>Sets the length of an open file (<c>ftruncate</c>).</summary>
    public static void Truncate(SafeFileHandle handle, string path, long length)
    {
        using var fd = new RawDescriptor(handle);
        if (Sys.FTruncate(fd.Value, length) < 0)
        {
            throw Errors.Last("ftruncate", path);
        }
    }

    /// <summary>Sets the permission bits of an open file exactly (<c>fchmod</c>; the umask filtered those given to open).</summary>
    public static void ChangeMode(SafeFileHandle handle, string path, uint mode)
    {
        using var fd = new RawDescriptor(handle);
        if (Sys.FChmod(fd.Value, mode) < 0)
        {
            throw Errors.Last("fchmod", path);
        }
    }

    /// <summary>
    /// Gives an open file exactly <paramref name="mode"/> (<c>fchmod</c>: the umask filtered the mode
    /// given to open) and, when given and not already its own, <paramref name="owner"/> (<c>fchown</c>).
    /// </summary>
    public static void SetModeAndOwner(SafeFileHandle handle, string path, uint mode, Ownership? owner)
    {
        ChangeMode(handle, path, mode);
        owner?.Apply(handle, path);
    }

    /// <summary>
    /// Opens the directory at <paramref name="path"/> (<c>O_NOFOLLOW | O_DIRECTORY</c>) and gives it
    /// exactly <paramref name="mode"/> and <paramref name="owner"/> through the descriptor: a
    /// directory this operation made with <c>mkdir</c>, and a link swapped in since fails with
    /// <c>ELOOP</c> instead of being followed.
    /// </summary>
    public static void SetDirectoryModeAndOwner(string path, uint mode, Ownership? owner)
    {
        using DirectoryHandle directory = DirectoryHandle.Open(path);
        directory.SetModeAndOwner(mode, owner);
    }

    /// <summary>Removes a file (never following a link); a missing file is an error here.</summary>
    public static void Remove(string path)
    {
        if (Sys.Unlink(path) < 0)
        {
            throw Errors.Last("unlink", path);
        }
    }

    /// <summary>
    /// Creates a directory; returns false, changing nothing, when something already stands at
    /// <paramref name="path"/> (mkdir never follows a link there, dangling or not).
    /// </summary>
    public static bool TryMakeDirectory(string path, uint mode = FileModes.Directory)
    {
        if (Sys.MkDir(path, mode) == 0)
        {
            return true;
        }

        int errno = Errors.LastErrno;
        return errno == Errno.EEXIST ? false : throw Errors.For("mkdir", path, errno);
    }

    /// <summary>Takes an exclusive <c>flock</c> without waiting; false when another descriptor holds it.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle, string path)
    {
        using var fd = new RawDescriptor(handle);
        if (Sys.Flock(fd.Value, Sys.LockExclusive | Sys.LockNonBlocking) == 0)
        {
            return true;
        }

        int errno = Errors.LastErrno;
        return errno == Errno.EAGAIN ? false : throw Errors.For("flock", path, errno);
    }

    /// <summary>
    /// Closes a descriptor that may hold a <c>flock</c>, dropping the lock first. Closing alone does
    /// not always release it at once: the lock belongs to the open file description, and a child the
    /// host process forks meanwhile (any <c>Process.Start</c>, on any thread) shares that description
    /// until its <c>exec</c> closes the copy. For that moment the lock would outlive our close, and a
    /// reader that locks the file (a .NET <c>FileStream</c> takes <c>LOCK_SH</c>) or the database
    /// taking its <c>LOCK</c> would be refused. <c>LOCK_UN</c> releases it for every holder of the
    /// description. Best effort: it cannot block, and if it fails the close releases the lock as before.
    /// Every descriptor the library locks is closed through here.
    /// </summary>
    public static void UnlockAndClose(SafeFileHandle handle)
    {
        if (!handle.IsClosed)
        {
            using var fd = new RawDescriptor(handle);
            _ = Sys.Flock(fd.Value, Sys.LockUnlock);
        }

        handle.Dispose();
    }

    /// <summary>Advises sequential reading (larger read-ahead). Advice only: a failure changes nothing and is ignored.</summary>
    public static void AdviseSequential(SafeFileHandle handle)
    {
        using var fd = new RawDescriptor(handle);
        _ = Sys.FAdvise(fd.Value, 0, 0, Sys.FAdviseSequential);
    }

    /// <summary>
    /// Drops the clean cached pages of a file from <paramref name="offset"/> on
    /// (<c>POSIX_FADV_DONTNEED</c>), so a copy leaves nothing of itself where the database's
    /// working set lives. Advice only: a failure changes nothing and is ignored.
    /// </summary>
    public static void DropCachedPages(SafeFileHandle handle, long offset = 0)
    {
        using var fd = new RawDescriptor(handle);
        _ = Sys.FAdvise(fd.Value, offset, 0, Sys.FAdviseDontNeed);
    }

    /// <summary>Removes an empty directory (<c>rmdir</c>); anything else, including a non-empty one, is an error.</summary>
    public static void RemoveDirectory(string path)
    {
        if (Sys.RmDir(path) < 0)
        {
            throw Errors.Last("rmdir", path);
        }
    }

    /// <summary>
    /// Writes back every dirty page of a file and waits for it (<c>sync_file_range</c> over the
    /// whole file), without the journal commit of an fsync. Best effort: the errors are the
    /// writer's to see on its own fsync, so none is reported here.
    /// </summary>
    public static void WriteBackAndWait(SafeFileHandle handle)
    {
        using var fd = new RawDescriptor(handle);
        _ = Sys.SyncFileRange(fd.Value, 0, 0, Sys.SyncFileRangeWaitBefore | Sys.SyncFileRangeWrite | Sys.SyncFileRangeWaitAfter);
    }

    /// <summary>Commits the whole file system holding <paramref name="path"/> (<c>syncfs</c>), with the error reported.</summary>
    public static void SyncFileSystem(string path)
    {
        using SafeFileHandle handle = OpenForSync(path, directory: true);
        using var fd = new RawDescriptor(handle);
        if (Sys.SyncFs(fd.Value) < 0)
        {
            throw Errors.Last("syncfs", path);
        }
    }

    /// <summary>The file system's allocation unit and the bytes an unprivileged writer may still use (<c>statvfs</c>).</summary>
    public static (long BlockSize, long AvailableBytes) FreeSpace(string path)
    {
        if (Sys.StatVfs(path, out Sys.StatVfsResult fs) < 0)
        {
            throw Errors.Last("statvfs", path);
        }

        return ((long)fs.FragmentSize, (long)(fs.AvailableBlocks * fs.FragmentSize));
    }

    /// <summary>
    /// The longest file name the file system holding <paramref name="path"/> accepts, in bytes
    /// (<c>statvfs</c>'s <c>f_namemax</c>; 255 when the file system does not say).
    /// </summary>
    public static int MaxNameLength(string path)
    {
        if (Sys.StatVfs(path, out Sys.StatVfsResult fs) < 0)
        {
            throw Errors.Last("statvfs", path);
        }

        return fs.NameMax is 0 or > int.MaxValue ? 255 : (int)fs.NameMax;
    }

    /// <summary>
    /// True only when the kernel says for certain that this process may not read
    /// <paramref name="path"/> (EACCES, EPERM from <c>faccessat</c> with the effective ids, never
    /// following a link). Anything else is left for the read itself to meet and report.
    /// </summary>
    public static bool IsReadDenied(string path, out int errno)
    {
        errno = 0;
        if (Sys.FAccessAt(Sys.AtFdCwd, path, Sys.ReadOk, Sys.AtEAccess | Sys.AtSymlinkNoFollow) == 0)
        {
            return false;
        }

        errno = Errors.LastErrno;
        return errno is Errno.EACCES or Errno.EPERM;
    }
}
