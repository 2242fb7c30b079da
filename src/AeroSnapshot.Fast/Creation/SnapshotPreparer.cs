using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Layout;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// The part of a snapshot that does not need writes paused, done before the pause so the paused
/// part does less: <c>snapshots/</c> exists and is durable, leftovers are gone, the source's dirty
/// pages are on their way to disk (so they do not compete with the copy's writes during the pause)
/// and, when asked, the source is read into the page cache so the paused copy reads from memory.
/// </summary>
internal static class SnapshotPreparer
{
    public static SnapshotPreparation Prepare(string dataDirectory, string storagePath, bool warmSource, AlignedBufferPool buffers)
    {
        string snapshotsDirectory = Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName);
        bool created = false;
        if (NativeFile.TryStatus(snapshotsDirectory) is null)
        {
            NativeFile.MakeDirectory(snapshotsDirectory);
            NativeFile.SyncDirectory(snapshotsDirectory);
            NativeFile.SyncDirectory(dataDirectory);
            created = true;
        }

        List<string> removed = StagingArea.RemoveLeftovers(snapshotsDirectory);
        using SafeFileHandle source = NativeFile.OpenRegularForRead(storagePath, out FileStatus status);
        // Write back whatever the database left dirty and wait for it: during the pause the disk
        // then serves the copy alone. Errors here are the database's to see on its own fsync; a
        // preparation must not fail for them.
        NativeFile.WriteBackAndWait(source);

        long warmed = 0;
        if (warmSource)
        {
            using AlignedBufferPool.Lease buffer = buffers.Rent();
            warmed = new FileCopier().Copy(new CopyJob { Source = source, SourcePath = storagePath, Buffer = buffer.Span }).Length;
        }

        return new SnapshotPreparation(created, removed, warmed);
    }
}
