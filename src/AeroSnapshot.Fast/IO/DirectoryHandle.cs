using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// An open directory reached without following any symbolic link, with its children opened
/// relative to it (<c>openat</c>, <c>statx</c> on a descriptor). Every component is opened with
/// <c>O_NOFOLLOW</c>, so the kernel itself refuses a link at the moment of use: a link swapped in
/// after a check cannot redirect a read outside the tree, which a check-then-open-by-path could not
/// promise. Children are always single names as read from the directory, never paths.
/// </summary>
internal sealed class DirectoryHandle : IDisposable
{
    private readonly SafeFileHandle _handle;

    private DirectoryHandle(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The directory's path, for messages.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens <paramref name="path"/> as a directory. A final component that is a link fails with
    /// <c>ELOOP</c>, one that is not a directory with <c>ENOTDIR</c>.
    /// </summary>
    public static DirectoryHandle Open(string path)
    {
        int fd = Sys.Open(path, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0);
        if (fd < 0)
        {
            throw Errors.Last("open", path);
        }

        return new DirectoryHandle(new SafeFileHandle(fd, ownsHandle: true), path);
    }

    /// <summary>Opens the child directory <paramref name="name"/> (a single name), never through a link.</summary>
    public DirectoryHandle OpenDirectory(string name)
    {
        ThrowIfNotAChild(name);
        string path = ChildPath(name);
        int fd;
        using (var dir = new RawDescriptor(_handle))
        {
            fd = Sys.OpenAt(dir.Value, name, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0);
        }

        if (fd < 0)
        {
            throw Errors.Last("openat", path);
        }

        return new DirectoryHandle(new SafeFileHandle(fd, ownsHandle: true), path);
    }

    /// <summary>
    /// Opens the child <paramref name="name"/> for reading. <c>O_NOFOLLOW</c> refuses a link
    /// (<c>ELOOP</c>) and <c>O_NONBLOCK</c> keeps a FIFO from hanging the open; the caller checks
    /// <paramref name="status"/> (taken from the descriptor, so it is what was opened).
    /// </summary>
    public SafeFileHandle OpenForRead(string name, out FileStatus status)
    {
        string path = ChildPath(name);
        int fd;
        using (var dir = new RawDescriptor(_handle))
        {
            fd = Sys.OpenAt(dir.Value, name, OpenFlags.ReadOnly | OpenFlags.NoFollow | OpenFlags.NonBlocking | OpenFlags.CloseOnExec, 0);
        }

        if (fd < 0)
        {
            throw Errors.Last("openat", path);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            status = NativeFile.Status(handle, path);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The status of the child itself (a link is reported as a link), or null when it does not exist.</summary>
    public FileStatus? TryStatus(string name)
    {
        int result;
        Sys.StatxResult stat;
        using (var dir = new RawDescriptor(_handle))
        {
            result = Sys.Statx(dir.Value, name, Sys.AtSymlinkNoFollow, Sys.StatxBasicStats, out stat);
        }

        if (result < 0)
        {
            int errno = Errors.LastErrno;
            if (errno is Errno.ENOENT or Errno.ENOTDIR)
            {
                return null;
            }

            throw Errors.For("statx", ChildPath(name), errno);
        }

        return FileStatus.From(stat);
    }

    /// <summary>
    /// The status of the child whose raw name is <paramref name="rawName"/> (a name that is not
    /// UTF-8 cannot go through a string), not following a link; null when it does not exist.
    /// </summary>
    public unsafe FileStatus? TryStatus(ReadOnlySpan<byte> rawName)
    {
        Span<byte> name = Terminated(rawName, rawName.Length < 256 ? stackalloc byte[rawName.Length + 1] : new byte[rawName.Length + 1]);
        int result;
        Sys.StatxResult stat;
        using (var dir = new RawDescriptor(_handle))
        fixed (byte* p = name)
        {
            result = Sys.Statx(dir.Value, p, Sys.AtSymlinkNoFollow, Sys.StatxBasicStats, out stat);
        }

        if (result < 0)
        {
            int errno = Errors.LastErrno;
            return errno is Errno.ENOENT or Errno.ENOTDIR ? null : throw Errors.For("statx", ChildPath(DirectoryListing.Printable(rawName)), errno);
        }

        return FileStatus.From(stat);
    }

    /// <summary>The directory's own status.</summary>
    public FileStatus Status() => NativeFile.Status(_handle, Path);

    /// <summary>The entries of this directory, names as raw bytes (see <see cref="DirectoryListing"/>).</summary>
    public List<DirectoryListing.Entry> List()
    {
        // fdopendir takes the descriptor it is given and closedir closes it, so it gets its own
        // descriptor of the same directory and this handle stays usable.
        int fd;
        using (var dir = new RawDescriptor(_handle))
        {
            fd = Sys.OpenAt(dir.Value, ".", OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        }

        if (fd < 0)
        {
            throw Errors.Last("openat", Path);
        }

        IntPtr stream = Sys.FdOpenDir(fd);
        if (stream == IntPtr.Zero)
        {
            NativeIOException error = Errors.Last("fdopendir", Path);
            _ = Sys.Close(fd);
            throw error;
        }

        return DirectoryListing.ReadAndClose(stream, Path);
    }

    /// <summary>Makes the directory's entries durable.</summary>
    public void Sync() => NativeFile.Sync(_handle, Path, dataOnly: false);

    /// <summary>
    /// Renames the child <paramref name="rawName"/> of <paramref name="from"/> to the same name in
    /// <paramref name="to"/>, by its raw bytes, never replacing anything. Returns 0 or the errno.
    /// </summary>
    public static unsafe int TryMove(DirectoryHandle from, ReadOnlySpan<byte> rawName, DirectoryHandle to)
    {
        Span<byte> name = Terminated(rawName, rawName.Length < 256 ? stackalloc byte[rawName.Length + 1] : new byte[rawName.Length + 1]);
        using var fromFd = new RawDescriptor(from._handle);
        using var toFd = new RawDescriptor(to._handle);
        fixed (byte* p = name)
        {
            return Sys.RenameAt2(fromFd.Value, p, toFd.Value, p, Sys.RenameNoReplace) == 0 ? 0 : Errors.LastErrno;
        }
    }

    /// <summary>Opens the child directory whose raw name is <paramref name="rawName"/>, never through a link.</summary>
    public DirectoryHandle OpenDirectory(ReadOnlySpan<byte> rawName)
        => TryOpenDirectory(rawName, out int errno) ?? throw Errors.For("openat", ChildPath(DirectoryListing.Printable(rawName)), errno);

    /// <summary>
    /// Opens the child directory <paramref name="rawName"/> with <c>O_NOFOLLOW | O_DIRECTORY</c>; null
    /// with <paramref name="errno"/> set when it cannot be (<c>ELOOP</c> for a link, <c>ENOTDIR</c> for
    /// anything else that is not a directory, <c>ENOENT</c> when nothing is there).
    /// </summary>
    public unsafe DirectoryHandle? TryOpenDirectory(ReadOnlySpan<byte> rawName, out int errno)
    {
        Span<byte> name = Terminated(rawName, rawName.Length < 256 ? stackalloc byte[rawName.Length + 1] : new byte[rawName.Length + 1]);
        int fd;
        using (var dir = new RawDescriptor(_handle))
        fixed (byte* p = name)
        {
            fd = Sys.OpenAt(dir.Value, p, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0);
        }

        errno = fd < 0 ? Errors.LastErrno : 0;
        return fd < 0 ? null : new DirectoryHandle(new SafeFileHandle(fd, ownsHandle: true), ChildPath(DirectoryListing.Printable(rawName)));
    }

    /// <summary>
    /// Renames the child <paramref name="from"/> to <paramref name="to"/> in this same directory,
    /// never replacing anything (<c>renameat2(RENAME_NOREPLACE)</c> on this one descriptor, so both
    /// names are in the directory that was opened, whatever happens to its path). Returns 0 or the errno.
    /// </summary>
    public unsafe int TryRename(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        Span<byte> fromName = Terminated(from, from.Length < 256 ? stackalloc byte[from.Length + 1] : new byte[from.Length + 1]);
        Span<byte> toName = Terminated(to, to.Length < 256 ? stackalloc byte[to.Length + 1] : new byte[to.Length + 1]);
        using var dir = new RawDescriptor(_handle);
        fixed (byte* f = fromName)
        fixed (byte* t = toName)
        {
            return Sys.RenameAt2(dir.Value, f, dir.Value, t, Sys.RenameNoReplace) == 0 ? 0 : Errors.LastErrno;
        }
    }

    /// <summary>Which directory this is (device and inode, from the descriptor).</summary>
    public FileIdentity Identity() => FileIdentity.Of(_handle, Path);

    /// <summary>Sets this directory's permission bits (<c>fchmod</c> on the descriptor); returns 0 or the errno.</summary>
    public int TryChangeMode(uint mode)
    {
        using var dir = new RawDescriptor(_handle);
        return Sys.FChmod(dir.Value, mode) == 0 ? 0 : Errors.LastErrno;
    }

    /// <summary>Gives this directory <paramref name="mode"/> and, when it has another, <paramref name="owner"/> (on the descriptor).</summary>
    public void SetModeAndOwner(uint mode, Ownership? owner)
    {
        int errno = TryChangeMode(mode);
        if (errno != 0)
        {
            throw Errors.For("fchmod", Path, errno);
        }

        owner?.Apply(_handle, Path);
    }

    /// <summary>
    /// Removes the child <paramref name="rawName"/>: a file or link with <c>unlinkat</c>, an empty
    /// directory with <c>AT_REMOVEDIR</c>. Returns 0 or the errno (<c>EISDIR</c> for a directory
    /// removed as a file).
    /// </summary>
    public unsafe int TryRemove(ReadOnlySpan<byte> rawName, bool directory)
    {
        Span<byte> name = Terminated(rawName, rawName.Length < 256 ? stackalloc byte[rawName.Length + 1] : new byte[rawName.Length + 1]);
        using var dir = new RawDescriptor(_handle);
        fixed (byte* p = name)
        {
            return Sys.UnlinkAt(dir.Value, p, directory ? Sys.AtRemoveDir : 0) == 0 ? 0 : Errors.LastErrno;
        }
    }

    /// <summary>Sets the permission bits of the child <paramref name="rawName"/> (not following a link); returns 0 or the errno.</summary>
    public unsafe int TryChmod(ReadOnlySpan<byte> rawName, uint mode)
    {
        Span<byte> name = Terminated(rawName, rawName.Length < 256 ? stackalloc byte[rawName.Length + 1] : new byte[rawName.Length + 1]);
        using var dir = new RawDescriptor(_handle);
        fixed (byte* p = name)
        {
            return Sys.FChmodAt(dir.Value, p, mode, Sys.AtSymlinkNoFollow) == 0 ? 0 : Errors.LastErrno;
        }
    }

    private static Span<byte> Terminated(ReadOnlySpan<byte> rawName, Span<byte> buffer)
    {
        ThrowIfNotAChild(rawName);
        rawName.CopyTo(buffer);
        buffer[^1] = 0;
        return buffer;
    }

    /// <summary>
    /// Refuses a name that does not name a child of this directory: empty, <c>.</c>, <c>..</c>, or
    /// holding a <c>/</c> or a NUL. Names come from directory listings, which already leave out
    /// <c>.</c> and <c>..</c>; this second check is there so that no single fault (a listing that
    /// let <c>..</c> through, say) can turn the recursive delete of one tree into the delete of
    /// every directory above it. A mutation run made exactly that fault once and emptied
    /// <c>/tmp</c> (docs/RELIABILITY.md, "Mutation score").
    /// </summary>
    internal static void ThrowIfNotAChild(ReadOnlySpan<byte> rawName)
    {
        if (rawName.IsEmpty || rawName.SequenceEqual("."u8) || rawName.SequenceEqual(".."u8) || rawName.IndexOfAny((byte)'/', (byte)0) >= 0)
        {
            throw new InvalidOperationException(
                $"'{DirectoryListing.Printable(rawName)}' is not the name of a child directory entry; refusing to use it.");
        }
    }

    /// <summary>The check of <see cref="ThrowIfNotAChild(ReadOnlySpan{byte})"/> for a name held as text.</summary>
    internal static void ThrowIfNotAChild(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.SequenceEqual(".") || name.SequenceEqual("..") || name.IndexOfAny('/', '\0') >= 0)
        {
            throw new InvalidOperationException($"'{name}' is not the name of a child directory entry; refusing to use it.");
        }
    }

    /// <summary>
    /// Opens the child file <paramref name="name"/> (a single name) for reading and writing, first
    /// creating it exclusively with <paramref name="mode"/> when <paramref name="create"/> is set;
    /// never follows a link (<c>O_EXCL</c>, then <c>O_NOFOLLOW</c>) and never blocks on a FIFO.
    /// Returns null with <paramref name="errno"/> set when it cannot be opened, so that the caller
    /// can say why in its own words. The caller checks what it opened.
    /// </summary>
    public SafeFileHandle? TryOpenOrCreate(string name, uint mode, bool create, out bool created, out int errno)
    {
        using var dir = new RawDescriptor(_handle);
        int readWriteNoFollow = OpenFlags.ReadWrite | OpenFlags.NoFollow | OpenFlags.NonBlocking | OpenFlags.CloseOnExec;
        created = create;
        int fd = create ? Sys.OpenAt(dir.Value, name, readWriteNoFollow | OpenFlags.Create | OpenFlags.Exclusive, mode) : -1;
        errno = fd < 0 && create ? Errors.LastErrno : Errno.EEXIST;
        if (fd < 0 && errno == Errno.EEXIST)
        {
            created = false;
            fd = Sys.OpenAt(dir.Value, name, readWriteNoFollow, 0);
            errno = fd < 0 ? Errors.LastErrno : 0;
        }

        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The path of a child, for messages.</summary>
    public string ChildPath(string name) => System.IO.Path.Join(Path, name);

    public void Dispose() => _handle.Dispose();
}
