using AeroSnapshot.Fast.Interop;

namespace AeroSnapshot.Fast.IO;

/// <summary>Removal of directory trees the library made itself (staging, pruned snapshots).</summary>
internal static class DirectoryTree
{
    /// <summary>
    /// Deletes <paramref name="path"/> and everything below it without following links.
    /// Read-only files need no chmod (unlinking depends on the directory's mode), but a directory
    /// made read-only does, so directories are made writable before they are emptied.
    /// </summary>
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

        _ = Sys.Chmod(path, 0b111_000_000);
        foreach (DirectoryListing.Entry entry in DirectoryListing.Read(path))
        {
            if (entry.Name is null)
            {
                throw new NativeIOException("delete", Path.Join(path, DirectoryListing.Printable(entry.RawName)), Errno.EINVAL, "the name is not UTF-8");
            }

            Delete(Path.Join(path, entry.Name));
        }

        if (Sys.RmDir(path) < 0 && Errors.LastErrno != Errno.ENOENT)
        {
            throw Errors.Last("rmdir", path);
        }
    }
}
