using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Checkpoint;

/// <summary>
/// Resets a WAL to empty with <c>ftruncate(fd, 0)</c>, then fsync of the file and of its directory.
/// </summary>
/// <remarks>
/// Why truncate in place rather than rename an empty file over <c>wal.log</c>: the checkpoint is
/// meant to be called by AeroDB while it holds its WAL writer, and that writer has the file open.
/// A rename would leave the writer's descriptor on the old, unlinked inode, and every record it
/// wrote afterwards would vanish; a truncation keeps the inode, so the writer's descriptor stays
/// the WAL. Truncation to zero is atomic on the journaling file systems we support: ext4 and XFS
/// change <c>i_size</c> in one journal transaction and free the blocks afterwards (an orphan list or
/// intent items finish the freeing after a crash), so after a power cut the file has its old length
/// and bytes or none. The power-cut suite checks exactly that on ext4 and XFS.
/// </remarks>
internal static class WalReset
{
    /// <summary>Truncates; throws without having changed anything when the truncation itself fails.</summary>
    public static void Truncate(SafeFileHandle wal, string path)
    {
        NativeFile.Truncate(wal, path, 0);
    }

    /// <summary>Makes the truncation durable: fsync of the WAL, then of its directory.</summary>
    public static void Sync(SafeFileHandle wal, string path)
    {
        NativeFile.Sync(wal, path, dataOnly: false);
        NativeFile.SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>Opens the WAL for writing: a regular file, never through a link, never blocking on a FIFO.</summary>
    public static SafeFileHandle Open(string path, out FileStatus status)
    {
        try
        {
            return NativeFile.OpenRegularForWrite(path, out status);
        }
        catch (NativeIOException ex) when (ex.Errno == Errno.ELOOP)
        {
            throw new NativeIOException("open", path, ex.Errno, "the WAL path is a symbolic link");
        }
    }
}
