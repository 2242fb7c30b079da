using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Layout;

/// <summary>
/// The entries of <c>&lt;data&gt;/snapshots</c>, each classified by name: a snapshot id, a leftover of
/// this library (<c>.staging-*</c>, <c>.deleting-*</c>), or anything else. Nothing is opened or
/// followed here; a name that parses as an id is a snapshot candidate whatever it turns out to be.
/// </summary>
internal static class SnapshotsDirectory
{
    /// <summary>One entry: its printable name, its id when the name is one, its kind and what it is on disk.</summary>
    internal readonly record struct Entry(string Name, string Path, SnapshotId? Id, SnapshotEntryKind Kind, FileKind FileKind);

    /// <summary>The path of <c>snapshots/</c> in <paramref name="dataDirectory"/>.</summary>
    public static string PathIn(string dataDirectory) => System.IO.Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName);

    /// <summary>
    /// Lists <c>snapshots/</c>: null when it does not exist. Snapshot candidates come first, newest
    /// first, then the other entries by name.
    /// </summary>
    /// <exception cref="SnapshotException"><c>snapshots</c> exists but is not a directory (a link is not followed).</exception>
    /// <exception cref="NativeIOException">It could not be listed.</exception>
    public static List<Entry>? Scan(string dataDirectory)
    {
        string path = PathIn(dataDirectory);
        FileStatus? status = NativeFile.TryStatus(path);
        if (status is null)
        {
            return null;
        }

        if (status.Value.Kind != FileKind.Directory)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"'{path}' is {FileStatus.Describe(status.Value.Kind)}, not a directory; it is not followed.",
                SnapshotStep.Read,
                path);
        }

        using DirectoryHandle directory = DirectoryHandle.Open(path);
        var entries = new List<Entry>();
        foreach (DirectoryListing.Entry raw in directory.List())
        {
            if (raw.Name is null)
            {
                string printable = DirectoryListing.Printable(raw.RawName);
                entries.Add(new Entry(printable, System.IO.Path.Join(path, printable), null, SnapshotEntryKind.Other, FileKind.Unknown));
                continue;
            }

            FileKind kind = directory.TryStatus(raw.Name)?.Kind ?? FileKind.Unknown;
            string entryPath = System.IO.Path.Join(path, raw.Name);
            if (SnapshotId.TryParse(raw.Name, out SnapshotId id))
            {
                entries.Add(new Entry(raw.Name, entryPath, id, SnapshotEntryKind.Snapshot, kind));
            }
            else
            {
                entries.Add(new Entry(raw.Name, entryPath, null, StagingArea.IsLeftover(raw.Name) ? SnapshotEntryKind.Incomplete : SnapshotEntryKind.Other, kind));
            }
        }

        entries.Sort(static (a, b) => (a.Id, b.Id) switch
        {
            ({ } x, { } y) => y.CompareTo(x),
            ({ }, null) => -1,
            (null, { }) => 1,
            _ => string.CompareOrdinal(a.Name, b.Name),
        });
        return entries;
    }
}
