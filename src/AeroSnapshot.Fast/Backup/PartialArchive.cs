using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// The archive's temporary file, <c>.&lt;name&gt;.partial</c>: created exclusively and held under an
/// exclusive <c>flock</c> for as long as the backup writes it. A partial file whose lock can be taken
/// was left by a backup that died (a crash, a kill, a power cut) and is removed; one whose lock is
/// held belongs to a backup still running, and this one fails instead of mixing with it.
/// </summary>
internal static class PartialArchive
{
    public static SafeFileHandle Create(string temporary, string output, uint mode)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (NativeFile.TryCreateNewReadWrite(temporary, mode) is { } handle)
            {
                bool locked;
                try
                {
                    locked = NativeFile.TryLockExclusive(handle, temporary);
                }
                catch (IOException)
                {
                    // flock itself failed (EIO, ENOLCK): the file is ours, made a moment ago; a
                    // failed backup leaves no partial file (found by the strace sweep).
                    handle.Dispose();
                    RemoveOwn(temporary);
                    throw;
                }

                if (locked)
                {
                    return handle;
                }

                // Only another process that opened this very file after we created it can hold its
                // lock: a stale-file remover about to see it is not stale. Let it be.
                handle.Dispose();
                throw Busy(temporary, output);
            }

            RemoveIfStale(temporary, output);
        }

        throw Busy(temporary, output);
    }

    private static void RemoveIfStale(string temporary, string output)
    {
        SafeFileHandle? stale = NativeFile.TryOpenForRead(temporary);
        if (stale is null)
        {
            return; // gone meanwhile: try again
        }

        try
        {
            RemoveIfStale(stale, temporary, output);
        }
        finally
        {
            // If the file could not be removed, the next backup must find it unlocked.
            NativeFile.UnlockAndClose(stale);
        }
    }

    private static void RemoveIfStale(SafeFileHandle stale, string temporary, string output)
    {
        FileStatus status = NativeFile.Status(stale, temporary);
        if (status.Kind != FileKind.Regular)
        {
            throw new SnapshotException(SnapshotErrorCode.Failed, $"'{temporary}' exists and is {FileStatus.Describe(status.Kind)}; it is in the way of the backup's temporary file. Remove it.", SnapshotStep.Prepare, temporary, Errno.EEXIST);
        }

        if (!NativeFile.TryLockExclusive(stale, temporary))
        {
            throw Busy(temporary, output);
        }

        // Locked: nobody writes it. Remove it only if the name still means this file, not a new
        // partial another backup created after we opened this one.
        if (NativeFile.TryStatus(temporary) is { } now && now.Inode == status.Inode)
        {
            _ = DurableFile.RemoveIfPresent(temporary);
        }
    }

    /// <summary>Best effort: if this fails too, the next backup to the same output finds the file unlocked and removes it.</summary>
    private static void RemoveOwn(string temporary)
    {
        try
        {
            _ = DurableFile.RemoveIfPresent(temporary);
        }
        catch (IOException)
        {
            // The error being reported is the one that matters; this file is stale from now on.
        }
    }

    private static SnapshotException Busy(string temporary, string output) => new(
        SnapshotErrorCode.Failed,
        $"Another backup to '{output}' is running (it holds '{temporary}'). Wait for it, or choose another name.",
        SnapshotStep.Prepare,
        temporary,
        Errno.EEXIST);
}
