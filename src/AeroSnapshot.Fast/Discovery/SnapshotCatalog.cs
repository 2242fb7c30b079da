using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Layout;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Discovery;

/// <summary>
/// The cheap listing of <c>snapshots/</c>: each entry's kind, its manifest's <c>created_at</c> (or
/// why the manifest cannot be read), and the count and total size of its regular files, from
/// directory metadata alone. No data file is read; links are counted as entries, never followed.
/// </summary>
internal static class SnapshotCatalog
{
    public static List<SnapshotListing> List(string dataDirectory, AlignedBufferPool buffers)
    {
        try
        {
            List<SnapshotsDirectory.Entry>? entries = SnapshotsDirectory.Scan(dataDirectory);
            if (entries is null)
            {
                return [];
            }

            using AlignedBufferPool.Lease buffer = buffers.Rent();
            var listings = new List<SnapshotListing>(entries.Count);
            foreach (SnapshotsDirectory.Entry entry in entries)
            {
                listings.Add(Describe(entry, buffer.Span));
            }

            return listings;
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Read);
        }
    }

    private static SnapshotListing Describe(SnapshotsDirectory.Entry entry, Span<byte> scratch)
    {
        if (entry.FileKind != FileKind.Directory)
        {
            string? error = entry.Kind == SnapshotEntryKind.Snapshot
                ? $"'{entry.Name}' is {FileStatus.Describe(entry.FileKind)}, not a snapshot directory; it is not followed."
                : null;
            return new SnapshotListing(entry.Name, entry.Path, entry.Kind, entry.Id, null, 0, 0, error);
        }

        using DirectoryHandle directory = DirectoryHandle.Open(entry.Path);
        (long bytes, int files) = Count(directory);
        if (entry.Kind != SnapshotEntryKind.Snapshot)
        {
            return new SnapshotListing(entry.Name, entry.Path, entry.Kind, null, null, bytes, files, null);
        }

        SnapshotManifest? manifest = ManifestFile.Read(directory, scratch, out VerificationProblem? problem);
        return new SnapshotListing(entry.Name, entry.Path, entry.Kind, entry.Id, manifest?.CreatedAt, bytes, files, problem?.Message);
    }

    /// <summary>Regular files below <paramref name="root"/> and their total size, never following a link.</summary>
    private static (long Bytes, int Files) Count(DirectoryHandle root)
    {
        long bytes = 0;
        int files = 0;
        using var chain = new DirectoryChain(root);
        var pending = new Stack<string>();
        pending.Push(string.Empty);
        while (pending.Count > 0)
        {
            string relative = pending.Pop();
            DirectoryHandle directory = chain.OpenDirectory(relative);
            foreach (DirectoryListing.Entry entry in directory.List())
            {
                if (entry.Name is null)
                {
                    continue; // cannot be named to statx through a string; not counted
                }

                switch (directory.TryStatus(entry.Name))
                {
                    case { Kind: FileKind.Regular } file:
                        bytes += file.Size;
                        files++;
                        break;
                    case { Kind: FileKind.Directory }:
                        pending.Push(relative.Length == 0 ? entry.Name : relative + "/" + entry.Name);
                        break;
                }
            }
        }

        return (bytes, files);
    }
}
