using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Layout;
using Microsoft.Extensions.Logging;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// What a failed capture or completion leaves undone: the staging directory removed, a snapshot
/// published but not yet durable taken back out of sight first, and a <c>snapshots/</c> this
/// attempt made removed again when it is empty.
/// </summary>
internal sealed class StagedSnapshotRemoval
{
    /// <summary>The staging directory, or what a published snapshot was renamed aside to.</summary>
    public string? Staging { get; set; }

    /// <summary>The published directory while the publication is not yet durable.</summary>
    public string? Published { get; set; }

    /// <summary><c>snapshots/</c> when this snapshot made it.</summary>
    public string? CreatedSnapshotsDirectory { get; set; }

    /// <summary>Removes what is recorded; returns the clean-up's own failure, if any.</summary>
    public Exception? Run(ILogger? logger)
    {
        try
        {
            if (Published is { } published && Staging is null)
            {
                // Published but not durable: take it back out of sight before deleting it, so a
                // crash during deletion cannot leave a half-deleted tree under a snapshot's name.
                string aside = Path.Join(Path.GetDirectoryName(published)!, StagingArea.DeletingPrefix + Path.GetFileName(published));
                if (!AtomicRename.TryNoReplace(published, aside, isDirectory: true))
                {
                    throw new NativeIOException("rename", aside, Errno.EEXIST, "a leftover of that name is in the way");
                }

                Published = null;
                Staging = aside;
            }

            if (Staging is { } staging)
            {
                DirectoryTree.Delete(staging);
                Staging = null;
                NativeFile.SyncDirectory(Path.GetDirectoryName(staging)!);
            }

            if (CreatedSnapshotsDirectory is { } created)
            {
                // Made by this snapshot and empty again: a failed create leaves the data directory as
                // it found it. rmdir refuses if anything appeared in it meanwhile; then it stays.
                CreatedSnapshotsDirectory = null;
                if (NativeFile.TryRemoveEmptyDirectory(created))
                {
                    NativeFile.SyncDirectory(Path.GetDirectoryName(created)!);
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger?.LogCleanupFailed(ex);
            return ex;
        }
    }
}
