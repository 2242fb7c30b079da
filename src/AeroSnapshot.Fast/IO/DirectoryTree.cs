using AeroSnapshot.Fast.IO.Interop;

namespace AeroSnapshot.Fast.IO;

/// <summary>Removal of directory trees the library made itself, or took over (staging, pruned snapshots, a restore's old data).</summary>
internal static class DirectoryTree
{
    private const uint OwnerOnly = FileModes.PrivateDirectory;

    /// <summary>
    /// Deletes <paramref name="path"/> and everything below it without following links.
    /// Read-only files need no chmod (unlinking depends on the directory's mode), but a directory
    /// made read-only does, so directories are made writable before they are emptied.
    /// </summary>
    /// <remarks>
    /// Below <paramref name="path"/> everything is done relative to open directories, by the raw
    /// bytes of each name: a name that is not UTF-8 (which a .NET string cannot carry) and a tree
    /// deeper than PATH_MAX are deleted like any other. A restore deletes the data directory's old
    /// schema tree, which the library did not make, so such names are not hypothetical there; a
    /// tree that could not be deleted would stay as a leftover that blocks every later clean-up.
    /// </remarks>
    public static void Delete(string path)
    {
        FileStatus? status = NativeFile.TryStatus(path);
        if (status is null)
        {
            return;
        }

        if (status.Value.Kind != FileKind.Directory)
        {
            if (Sys.Unlink(path) < 0 && Errors.LastErrno != Errno.ENOENT)
            {
                throw Errors.Last("unlink", path);
            }

            return;
        }

        _ = Sys.Chmod(path, OwnerOnly);
        using (DirectoryHandle directory = DirectoryHandle.Open(path))
        {
            DeleteContents(directory);
        }

        if (Sys.RmDir(path) < 0 && Errors.LastErrno != Errno.ENOENT)
        {
            throw Errors.Last("rmdir", path);
        }
    }

    /// <summary>Empties <paramref name="directory"/>; one descriptor is open per level of depth.</summary>
    private static void DeleteContents(DirectoryHandle directory)
    {
        foreach (DirectoryListing.Entry entry in directory.List())
        {
            byte[] name = entry.RawName;
            int errno = directory.TryRemove(name, directory: false);
            if (errno is 0 or Errno.ENOENT)
            {
                continue;
            }

            if (errno != Errno.EISDIR)
            {
                throw Errors.For("unlink", directory.ChildPath(DirectoryListing.Printable(name)), errno);
            }

            _ = directory.TryChmod(name, OwnerOnly);
            using (DirectoryHandle child = directory.OpenDirectory(name))
            {
                DeleteContents(child);
            }

            errno = directory.TryRemove(name, directory: true);
            if (errno is not (0 or Errno.ENOENT))
            {
                throw Errors.For("rmdir", directory.ChildPath(DirectoryListing.Printable(name)), errno);
            }
        }
    }
}
