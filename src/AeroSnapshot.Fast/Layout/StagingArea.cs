using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Layout;

/// <summary>
/// Names and clean-up of staging directories. A snapshot is built in <c>snapshots/.staging-&lt;id&gt;</c>:
/// inside <c>snapshots/</c> so the publishing rename stays on one file system, and with a leading
/// dot and a prefix so the name can never parse as a snapshot id. Prune renames a snapshot aside
/// to <c>.deleting-&lt;id&gt;</c> before deleting it, for the same reason.
/// </summary>
internal static class StagingArea
{
    public const string StagingPrefix = ".staging-";
    public const string DeletingPrefix = ".deleting-";
    public const string RestorePrefix = ".restore-";
    public const string PrecopyPrefix = ".precopy-";

    public static string StagingName(SnapshotId id) => StagingPrefix + id.ToString();

    public static string DeletingName(SnapshotId id) => DeletingPrefix + id.ToString();

    /// <summary>True for every name this library uses for work in progress.</summary>
    public static bool IsLeftover(string name)
        => name.StartsWith(StagingPrefix, StringComparison.Ordinal) || name.StartsWith(DeletingPrefix, StringComparison.Ordinal)
            || name.StartsWith(PrecopyPrefix, StringComparison.Ordinal);

    /// <summary>
    /// Deletes every leftover directory under <paramref name="snapshotsDirectory"/> (a crash's
    /// staging or half-pruned snapshot) and returns their names. Snapshots are never touched, nor
    /// <paramref name="keep"/>: the staging directory a snapshot took over from its pre-copy. With
    /// <paramref name="preview"/>, returns the names it would delete and deletes nothing.
    /// </summary>
    public static List<string> RemoveLeftovers(string snapshotsDirectory, string? keep = null, bool preview = false)
    {
        var removed = new List<string>();
        if (NativeFile.TryStatus(snapshotsDirectory) is not { Kind: FileKind.Directory })
        {
            return removed;
        }

        // Listed and deleted through one descriptor of snapshots/ opened without following a link:
        // its owner can swap an entry for a link at any moment, and DirectoryTree never follows one.
        using DirectoryHandle snapshots = DirectoryHandle.Open(snapshotsDirectory);
        foreach (DirectoryListing.Entry entry in snapshots.List())
        {
            if (entry.Name is not null && IsLeftover(entry.Name) && !string.Equals(entry.Name, keep, StringComparison.Ordinal))
            {
                if (!preview)
                {
                    DirectoryTree.DeleteChild(snapshots, entry.RawName);
                }

                removed.Add(entry.Name);
            }
        }

        if (removed.Count > 0 && !preview)
        {
            // Make the removal durable, so a crash cannot bring a half-deleted tree back.
            snapshots.Sync();
        }

        return removed;
    }
}
