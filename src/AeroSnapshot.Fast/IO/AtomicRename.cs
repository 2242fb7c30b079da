using AeroSnapshot.Fast.IO.Interop;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// The two renames the durable protocols are built on: one that never replaces what stands at the
/// destination (publishing a snapshot, an archive, a marker; moving a snapshot aside), and one that
/// swaps two directories in a single step (restore). Each lives here once, with its fallback.
/// </summary>
internal static class AtomicRename
{
    /// <summary>
    /// Renames <paramref name="from"/> to <paramref name="to"/> unless something is already at
    /// <paramref name="to"/>: then nothing is changed and false is returned. Uses
    /// <c>renameat2(RENAME_NOREPLACE)</c>; on a file system without it (EINVAL, ENOSYS) a file is
    /// published with <c>link(2)</c> + <c>unlink(2)</c> (link fails with EEXIST as atomically), and
    /// a directory by checking first and renaming after, which is safe only because every caller
    /// holds the data directory's lock or the execution lock, so nobody else creates the name.
    /// </summary>
    /// <exception cref="NativeIOException">Any other failure, naming <paramref name="from"/> and the errno.</exception>
    public static bool TryNoReplace(string from, string to, bool isDirectory)
    {
        if (Sys.RenameAt2(Sys.AtFdCwd, from, Sys.AtFdCwd, to, Sys.RenameNoReplace) == 0)
        {
            return true;
        }

        int errno = Errors.LastErrno;
        if (errno is Errno.EEXIST or Errno.ENOTEMPTY)
        {
            return false;
        }

        if (errno is not (Errno.EINVAL or Errno.ENOSYS))
        {
            throw Errors.For("renameat2", from, errno);
        }

        if (!isDirectory)
        {
            if (Sys.Link(from, to) == 0)
            {
                _ = DurableFile.RemoveIfPresent(from);
                return true;
            }

            errno = Errors.LastErrno;
            return errno == Errno.EEXIST ? false : throw Errors.For("link", from, errno);
        }

        if (NativeFile.TryStatus(to) is not null)
        {
            return false;
        }

        return Sys.Rename(from, to) == 0 ? true : throw Errors.Last("rename", from);
    }

    /// <summary>
    /// Swaps the directories <paramref name="first"/> and <paramref name="second"/> in one step
    /// (<c>renameat2(RENAME_EXCHANGE)</c>), so each name holds a complete tree at every moment.
    /// There is no fallback: a file system that cannot exchange (EINVAL, ENOSYS) is refused by name.
    /// </summary>
    /// <exception cref="NativeIOException">The exchange failed, naming <paramref name="first"/> and the errno.</exception>
    public static void Exchange(string first, string second)
    {
        if (Sys.RenameAt2(Sys.AtFdCwd, first, Sys.AtFdCwd, second, Sys.RenameExchange) == 0)
        {
            return;
        }

        int errno = Errors.LastErrno;
        throw new NativeIOException(
            "renameat2(RENAME_EXCHANGE)",
            first,
            errno,
            errno is Errno.EINVAL or Errno.ENOSYS ? "the file system cannot exchange two directories atomically, which restore needs so that the data directory is complete at every moment" : null);
    }
}
