using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Opening, inspecting and syncing files through direct system calls. <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/>
/// is avoided on purpose: it follows symbolic links, blocks forever on a FIFO, cannot open a
/// directory, and takes an advisory <c>flock</c> that conflicts with the database's own handle.
/// </summary>
internal static partial class NativeFile
{
    /// <summary>
    /// Opens an existing regular file for reading. Refuses a symbolic link (<c>O_NOFOLLOW</c>) and,
    /// thanks to <c>O_NONBLOCK</c>, returns at once instead of hanging when the path is a FIFO.
    /// </summary>
    public static SafeFileHandle OpenRegularForRead(string path, out FileStatus status)
        => AdoptRegularFile(OpenForRead(path), path, out status);

    /// <summary>
    /// Wraps a descriptor just opened and checks, on the descriptor itself (no race with the name),
    /// that it is a regular file; closes it and throws naming <paramref name="path"/> otherwise.
    /// </summary>
    private static SafeFileHandle AdoptRegularFile(int fd, string path, out FileStatus status)
    {
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            status = Status(handle, path);
            if (status.Kind != FileKind.Regular)
            {
                throw new NativeIOException("open", path, Errno.EINVAL, $"it is {FileStatus.Describe(status.Kind)}, not a regular file");
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Asks the kernel to start reading all of <paramref name="path"/> into the page cache
    /// (<c>POSIX_FADV_WILLNEED</c>) and returns at once. A file that cannot be opened is an error,
    /// as it would be for <see cref="OpenRegularForRead"/>; the advice itself is best effort.
    /// </summary>
    public static void StartReadAhead(string path)
    {
        int fd = OpenForRead(path);
        _ = Sys.FAdvise(fd, 0, 0, Sys.FAdviseWillNeed);
        _ = Sys.Close(fd);
    }

    private static int OpenForRead(string path) => OpenExisting(path, OpenFlags.ReadOnly);

    /// <summary>Opens an existing file with <paramref name="access"/>, never through a link, never blocking on a FIFO.</summary>
    private static int OpenExisting(string path, int access)
    {
        int fd = Sys.Open(path, access | OpenFlags.NoFollow | OpenFlags.NonBlocking | OpenFlags.CloseOnExec, 0);
        if (fd < 0)
        {
            int errno = Errors.LastErrno;
            throw errno == Errno.ELOOP
                ? new NativeIOException("open", path, errno, "the path is a symbolic link")
                : Errors.For("open", path, errno);
        }

        return fd;
    }

    /// <summary>Creates a new file that must not exist yet, never following a link.</summary>
    /// <remarks>
    /// This is the only way the library creates a file, so it is where links are kept out of every
    /// write: <c>O_CREAT</c> always comes with <c>O_EXCL</c> (any existing entry, a link included,
    /// dangling or not, fails with <c>EEXIST</c>, so a planted link can never redirect the write) and
    /// <c>O_NOFOLLOW</c>. The directories above each created file are ones the same operation made
    /// with <c>mkdir</c> (which never follows a link at its last component either) or checked with
    /// <c>lstat</c> first: snapshot files and the manifest under the staging directory, which is made
    /// inside a <c>snapshots/</c> checked to be a real directory; restored files, the empty WAL, the
    /// fresh <c>LOCK</c> and the restore intent marker under the restore's own new directory beside
    /// the target (the target and its parent checked). <c>LOCK</c> itself is created relative to the
    /// data directory's descriptor, opened with <c>O_NOFOLLOW</c> (<see cref="DataDirectoryLock"/>).
    /// </remarks>
    public static SafeFileHandle CreateNew(string path, uint mode, bool direct = false)
    {
        // A file created with mode 0444 is still writable through the descriptor that created it,
        // so snapshot files are read-only from birth and no chmod has to be made durable later.
        int fd = Sys.Open(path, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.NoFollow | OpenFlags.CloseOnExec | (direct ? OpenFlags.Direct : 0), mode);
        if (fd < 0)
        {
            throw Errors.Last("create", path);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Removes <paramref name="path"/> if it is an empty directory; false when it is not empty or gone.</summary>
    /// <exception cref="NativeIOException">rmdir failed for another reason.</exception>
    public static bool TryRemoveEmptyDirectory(string path)
    {
        if (Sys.RmDir(path) == 0)
        {
            return true;
        }

        int errno = Errors.LastErrno;
        return errno is Errno.ENOTEMPTY or Errno.EEXIST or Errno.ENOENT ? false : throw Errors.For("rmdir", path, errno);
    }

    /// <summary>Opens a file or directory read-only for fsync; never follows a link.</summary>
    public static SafeFileHandle OpenForSync(string path, bool directory)
    {
        int flags = OpenFlags.ReadOnly | OpenFlags.NoFollow | OpenFlags.CloseOnExec | (directory ? OpenFlags.Directory : OpenFlags.NonBlocking);
        int fd = Sys.Open(path, flags, 0);
        if (fd < 0)
        {
            throw Errors.Last("open", path);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    public static FileStatus Status(SafeFileHandle handle, string pathForErrors)
    {
        using var fd = new RawDescriptor(handle);
        if (Sys.Statx(fd.Value, string.Empty, Sys.AtEmptyPath, Sys.StatxBasicStats, out Sys.StatxResult status) < 0)
        {
            throw Errors.Last("statx", pathForErrors);
        }

        return FileStatus.From(status);
    }

    /// <summary>The status of a path itself (a link is reported as a link), or null if it does not exist.</summary>
    public static FileStatus? TryStatus(string path)
    {
        if (Sys.Statx(Sys.AtFdCwd, path, Sys.AtSymlinkNoFollow, Sys.StatxBasicStats, out Sys.StatxResult status) < 0)
        {
            int errno = Errors.LastErrno;
            if (errno is Errno.ENOENT or Errno.ENOTDIR)
            {
                return null;
            }

            throw Errors.For("statx", path, errno);
        }

        return FileStatus.From(status);
    }

    /// <summary>fsync or fdatasync, with the error reported (unlike the runtime's own flush).</summary>
    public static void Sync(SafeFileHandle handle, string pathForErrors, bool dataOnly)
    {
        using var fd = new RawDescriptor(handle);
        if ((dataOnly ? Sys.FDataSync(fd.Value) : Sys.FSync(fd.Value)) < 0)
        {
            throw Errors.Last(dataOnly ? "fdatasync" : "fsync", pathForErrors);
        }
    }

    /// <summary>Makes a directory's entries durable: open, fsync, close.</summary>
    public static void SyncDirectory(string path)
    {
        using SafeFileHandle handle = OpenForSync(path, directory: true);
        Sync(handle, path, dataOnly: false);
    }

    public static void MakeDirectory(string path, uint mode = FileModes.Directory)
    {
        if (Sys.MkDir(path, mode) < 0)
        {
            throw Errors.Last("mkdir", path);
        }
    }

    /// <summary>
    /// Reserves <paramref name="length"/> bytes for a new file so that running out of space shows up
    /// before the copy, not in the middle. File systems that cannot reserve simply skip it.
    /// </summary>
    public static void Preallocate(SafeFileHandle destination, string path, long length)
    {
        using var fd = new RawDescriptor(destination);
        if (Sys.FAllocate(fd.Value, 0, 0, length) < 0)
        {
            int errno = Errors.LastErrno;
            if (errno is not (Errno.EOPNOTSUPP or Errno.ENOSYS or Errno.EINVAL))
            {
                throw Errors.For("fallocate", path, errno);
            }
        }
    }

    /// <summary>
    /// Starts writeback of a whole file without waiting (<c>sync_file_range(WRITE)</c>), so that a
    /// later fsync of many small files finds most of the work done. A file system without it is skipped.
    /// </summary>
    public static void StartWriteback(SafeFileHandle destination, string path)
    {
        using var fd = new RawDescriptor(destination);
        if (Sys.SyncFileRange(fd.Value, 0, 0, Sys.SyncFileRangeWrite) < 0)
        {
            int errno = Errors.LastErrno;
            if (errno is not (Errno.EINVAL or Errno.ESPIPE or Errno.ENOSYS or Errno.EOPNOTSUPP))
            {
                throw Errors.For("sync_file_range", path, errno);
            }
        }
    }
}
