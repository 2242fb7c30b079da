using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Restoring;

/// <summary>
/// Finishes or undoes a restore that was interrupted (a crash, a kill), from what is on disk:
/// the directories beside the target (<c>.&lt;name&gt;.restore-&lt;id&gt;</c>) and where the intent
/// marker is (see <see cref="RestoreIntent"/>).
/// <list type="bullet">
/// <item>Marker beside the target: the swap never happened. The entries the marker lists that are
/// in the new directory are moved back into the target, then the new directory is deleted.</item>
/// <item>No marker beside the target: the new directory holds no entry of the target's. It is
/// either a build that never got to its marker, or the old data after a completed swap; either way
/// it is deleted.</item>
/// <item>Marker in the target: the swap happened and was made durable; the marker is removed.</item>
/// </list>
/// Every step is idempotent, so recovery itself may be interrupted and run again.
/// </summary>
internal static class RestoreRecovery
{
    /// <summary>
    /// Recovers every interrupted restore of <paramref name="target"/>; returns the names it handled
    /// (with <paramref name="preview"/>: would handle, changing nothing).
    /// </summary>
    public static List<string> Recover(RestoreTarget target, bool preview = false)
    {
        var handled = new List<string>();
        if (NativeFile.TryStatus(target.Parent) is not { Kind: FileKind.Directory })
        {
            return handled;
        }

        bool parentChanged = false;
        foreach (string sibling in FindSiblings(target))
        {
            string siblingPath = Path.Join(target.Parent, sibling);
            if (preview)
            {
                handled.Add(RestoreIntent.ExistsIn(siblingPath)
                    ? $"{sibling} (a restore interrupted before its swap: the entries it moved are moved back into '{target.Name}', then it is deleted)"
                    : $"{sibling} (a restore's build or its previous data: deleted)");
                continue;
            }

            if (RestoreIntent.TryRead(siblingPath) is { } intent)
            {
                MoveBack(target, siblingPath, intent);
            }

            DirectoryTree.Delete(siblingPath);
            parentChanged = true;
            handled.Add(sibling);
        }

        if (parentChanged)
        {
            NativeFile.SyncDirectory(target.Parent);
        }

        string marker = Path.Join(target.Path, RestoreIntent.FileName);
        if (NativeFile.TryStatus(marker) is not null)
        {
            if (preview)
            {
                handled.Add(Path.Join(target.Name, RestoreIntent.FileName));
                return handled;
            }

            _ = DurableFile.RemoveIfPresent(marker);

            NativeFile.SyncDirectory(target.Path);
            handled.Add(Path.Join(target.Name, RestoreIntent.FileName));
        }

        return handled;
    }

    /// <summary>
    /// Throws when a restore into <paramref name="dataDirectory"/> was interrupted before its swap:
    /// entries of the data directory (the WAL, snapshots…) are then beside it, not in it, and
    /// recovering the database from what is left would lose them.
    /// </summary>
    public static void ThrowIfRollbackPending(string dataDirectory)
    {
        RestoreTarget target = RestoreTarget.For(dataDirectory);
        List<string> siblings;
        try
        {
            siblings = FindSiblings(target);
        }
        catch (NativeIOException ex) when (ex.Errno is Errno.EACCES or Errno.EPERM)
        {
            return; // the parent cannot be listed by this process, so no restore of it could have run
        }

        foreach (string sibling in siblings)
        {
            string siblingPath = Path.Join(target.Parent, sibling);
            if (RestoreIntent.ExistsIn(siblingPath))
            {
                throw new SnapshotException(
                    SnapshotErrorCode.Failed,
                    $"A restore into '{target.Path}' was interrupted before its swap: entries of the data directory are in '{siblingPath}'. Run RemoveLeftovers (or the restore again) to put them back before using it.",
                    SnapshotStep.RestoreRecover,
                    siblingPath,
                    invariant: "F2",
                    rule: "nothing of a data directory is lost by a restore");
            }
        }
    }

    private static List<string> FindSiblings(RestoreTarget target)
    {
        var siblings = new List<string>();
        if (NativeFile.TryStatus(target.Parent) is not { Kind: FileKind.Directory })
        {
            return siblings;
        }

        foreach (DirectoryListing.Entry entry in DirectoryListing.Read(target.Parent))
        {
            if (entry.Name is not null && target.IsSibling(entry.Name))
            {
                siblings.Add(entry.Name);
            }
        }

        siblings.Sort(StringComparer.Ordinal);
        return siblings;
    }

    /// <summary>
    /// Moves the entries <paramref name="intent"/> lists from the new directory back into the
    /// target, and makes the moves durable. An entry not in the new directory is skipped (never
    /// moved, or already moved back); one whose name was taken in the target meanwhile stops it.
    /// </summary>
    internal static void MoveBack(RestoreTarget target, string sibling, RestoreIntent intent)
    {
        if (NativeFile.TryStatus(target.Path) is not { Kind: FileKind.Directory })
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"A restore into '{target.Path}' was interrupted before its swap, but the target is no longer a directory; its entries were left in '{sibling}'.",
                SnapshotStep.RestoreRecover,
                target.Path);
        }

        using (DirectoryHandle from = DirectoryHandle.Open(sibling))
        using (DirectoryHandle to = DirectoryHandle.Open(target.Path))
        {
            MoveAll(from, to, intent.TopLevel);
            from.Sync();
            to.Sync();
        }

        if (intent.InMetadata.Count > 0)
        {
            using DirectoryHandle from = DirectoryHandle.Open(Path.Join(sibling, "metadata"));
            using DirectoryHandle to = DirectoryHandle.Open(Path.Join(target.Path, "metadata"));
            MoveAll(from, to, intent.InMetadata);
            from.Sync();
            to.Sync();
        }
    }

    private static void MoveAll(DirectoryHandle from, DirectoryHandle to, IReadOnlyList<byte[]> names)
    {
        foreach (byte[] name in names)
        {
            int errno = DirectoryHandle.TryMove(from, name, to);
            if (errno is 0 or Errno.ENOENT)
            {
                continue; // moved now, or never moved / already moved back before a crash
            }

            string printable = DirectoryListing.Printable(name);
            throw errno is Errno.EEXIST or Errno.ENOTEMPTY
                ? new SnapshotException(
                    SnapshotErrorCode.Failed,
                    $"Cannot move '{printable}' back into '{to.Path}': something of that name was created there since the restore was interrupted. Nothing was overwritten; '{from.ChildPath(printable)}' was left for an operator.",
                    SnapshotStep.RestoreRecover,
                    to.ChildPath(printable),
                    errno)
                : Errors.For("renameat2", from.ChildPath(printable), errno);
        }
    }
}
