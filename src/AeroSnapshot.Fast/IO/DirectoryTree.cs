using System.Text;

namespace AeroSnapshot.Fast.IO;

/// <summary>Removal of directory trees the library made itself, or took over (staging, pruned snapshots, a restore's old data).</summary>
/// <remarks>
/// <para>
/// Every entry is changed and removed relative to the descriptor of the directory holding it,
/// never by path: the entry is opened with <c>O_NOFOLLOW | O_DIRECTORY</c>, its mode set with
/// <c>fchmod</c> on that descriptor, its contents removed through it, and the entry itself removed
/// with <c>unlinkat</c>. Whoever owns a directory on the way (the database's own account owns
/// <c>snapshots/</c>) can swap an entry for a symbolic link at any moment, and root runs these
/// deletions; a check followed by a call by path would follow a link planted between the two (it
/// did: <c>clean</c> once set a root-owned 0755 directory elsewhere to 0700). A link is removed as a
/// link, never followed, wherever it appears.
/// </para>
/// <para>
/// Names are raw bytes: a name that is not UTF-8 (which a .NET string cannot carry) and a tree
/// deeper than PATH_MAX are deleted like any other. A restore deletes the data directory's old
/// schema tree, which the library did not make, so such names are not hypothetical there; a tree
/// that could not be deleted would stay as a leftover that blocks every later clean-up.
/// </para>
/// </remarks>
internal static class DirectoryTree
{
    private const uint OwnerOnly = FileModes.PrivateDirectory;

    /// <summary>How many times an entry that keeps changing kind under us is looked at again before giving up.</summary>
    private const int MaxAttempts = 8;

    /// <summary>
    /// Deletes <paramref name="path"/> and everything below it. Its parent is opened with
    /// <c>O_NOFOLLOW | O_DIRECTORY</c>, then everything happens relative to descriptors (see the remarks).
    /// Nothing there, or no parent, is not an error.
    /// </summary>
    public static void Delete(string path)
    {
        string trimmed = Path.TrimEndingDirectorySeparator(path);
        string parentPath = Path.GetDirectoryName(trimmed) ?? throw new ArgumentException($"'{path}' has no parent directory.", nameof(path));
        DirectoryHandle parent;
        try
        {
            parent = DirectoryHandle.Open(parentPath);
        }
        catch (NativeIOException ex) when (ex.Errno is Errno.ENOENT)
        {
            return;
        }

        using (parent)
        {
            DeleteChild(parent, Encoding.UTF8.GetBytes(Path.GetFileName(trimmed)));
        }
    }

    /// <summary>
    /// Deletes the child <paramref name="name"/> of <paramref name="parent"/> (a file or a link
    /// with <c>unlinkat</c>, a directory with everything below it); nothing there is not an error.
    /// </summary>
    public static void DeleteChild(DirectoryHandle parent, ReadOnlySpan<byte> name)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            // A file, or a link of any kind, goes at once and is never followed; EISDIR says it is a directory.
            int errno = parent.TryRemove(name, directory: false);
            if (errno is 0 or Errno.ENOENT)
            {
                return;
            }

            if (errno != Errno.EISDIR)
            {
                throw Failed("unlinkat", parent, name, errno);
            }

            DirectoryHandle? directory = OpenForDeletion(parent, name, out errno);
            if (directory is null)
            {
                if (errno == Errno.ENOENT)
                {
                    return;
                }

                if (errno is Errno.ELOOP or Errno.ENOTDIR)
                {
                    continue; // no longer a directory: removed as a file or link on the next round
                }

                throw Failed("openat", parent, name, errno);
            }

            using (directory)
            {
                EmptyOpened(directory);
            }

            errno = parent.TryRemove(name, directory: true);
            if (errno is 0 or Errno.ENOENT)
            {
                return;
            }

            if (errno is not (Errno.ENOTDIR or Errno.ENOTEMPTY or Errno.EEXIST))
            {
                throw Failed("unlinkat(AT_REMOVEDIR)", parent, name, errno);
            }

            // The name now holds something else (a link, another directory): look at it again.
        }

        throw new NativeIOException("unlinkat", parent.ChildPath(DirectoryListing.Printable(name)), Errno.ENOTEMPTY, $"it kept being replaced while it was deleted ({MaxAttempts} attempts)");
    }

    /// <summary>
    /// Deletes the directory <paramref name="opened"/>, already open, which is the child
    /// <paramref name="name"/> of <paramref name="parent"/>: its contents through the descriptor,
    /// then the entry, which must still be that directory (an entry swapped in meanwhile is not
    /// removed: removing an empty directory fails on anything else but an empty directory).
    /// </summary>
    /// <exception cref="NativeIOException">The contents could not be removed, or the name no longer holds the emptied directory.</exception>
    public static void DeleteOpened(DirectoryHandle parent, ReadOnlySpan<byte> name, DirectoryHandle opened)
    {
        EmptyOpened(opened);
        int errno = parent.TryRemove(name, directory: true);
        if (errno is not (0 or Errno.ENOENT))
        {
            throw Failed("unlinkat(AT_REMOVEDIR)", parent, name, errno);
        }
    }

    /// <summary>Makes the open directory private and writable by its owner, then removes everything in it.</summary>
    private static void EmptyOpened(DirectoryHandle directory)
    {
        // Read-only files need no chmod (unlinking depends on the directory's mode), but a directory
        // made read-only does; 0700 also keeps others from reading what is being deleted. Best effort:
        // a failure here shows up, named, as the failure to remove an entry.
        _ = directory.TryChangeMode(OwnerOnly);
        foreach (DirectoryListing.Entry entry in directory.List())
        {
            DeleteChild(directory, entry.RawName);
        }
    }

    /// <summary>
    /// Opens the child directory to delete it, never through a link. A directory its owner cannot
    /// read (mode 0300, say) is made readable first with <c>fchmodat(AT_SYMLINK_NOFOLLOW)</c>, which
    /// refuses a link rather than following it.
    /// </summary>
    private static DirectoryHandle? OpenForDeletion(DirectoryHandle parent, ReadOnlySpan<byte> name, out int errno)
    {
        DirectoryHandle? directory = parent.TryOpenDirectory(name, out errno);
        if (directory is null && errno == Errno.EACCES && parent.TryChmod(name, OwnerOnly) == 0)
        {
            directory = parent.TryOpenDirectory(name, out errno);
        }

        return directory;
    }

    private static NativeIOException Failed(string operation, DirectoryHandle parent, ReadOnlySpan<byte> name, int errno)
        => Errors.For(operation, parent.ChildPath(DirectoryListing.Printable(name)), errno);
}
