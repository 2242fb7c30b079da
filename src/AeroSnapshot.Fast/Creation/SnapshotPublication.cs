using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// <see cref="SnapshotStep.WriteManifest"/> to <see cref="SnapshotStep.Publish"/>: the manifest written and synced into the staging directory, and the staging
/// directory renamed to its final name without ever replacing an existing snapshot.
/// </summary>
internal static class SnapshotPublication
{
    /// <summary>Writes and syncs the manifest; returns its length in bytes.</summary>
    public static int WriteManifest(SnapshotManifest manifest, string path, Span<byte> buffer, bool dataOnlySync, StepCursor steps)
    {
        int length = manifest.GetUtf8ByteCount();
        Span<byte> bytes = length <= buffer.Length ? buffer[..length] : new byte[length];
        if (!manifest.TryWriteUtf8(bytes, out int written) || written != length)
        {
            throw new SnapshotException(SnapshotErrorCode.Manifest, "The manifest could not be serialized.", SnapshotStep.WriteManifest, path);
        }

        using SafeFileHandle handle = NativeFile.CreateNew(path, FileModes.ReadOnlyFile);
        PositionalIO.WriteAll(handle, path, bytes, 0);

        steps.Enter(SnapshotStep.SyncManifest);
        NativeFile.Sync(handle, path, dataOnly: dataOnlySync);
        return length;
    }

    public static void Publish(string staging, string finalDirectory, SnapshotId id)
    {
        // The execution lock excludes other snapshotters, which the no-replace fallback relies on.
        if (!AtomicRename.TryNoReplace(staging, finalDirectory, isDirectory: true))
        {
            throw Collision(id, finalDirectory);
        }
    }

    public static SnapshotException Collision(SnapshotId id, string finalDirectory) => new(
        SnapshotErrorCode.Failed,
        $"A snapshot with id {id} already exists at '{finalDirectory}' (two snapshots in one second); it was left untouched.",
        SnapshotStep.Publish,
        finalDirectory,
        Errno.EEXIST,
        rule: "an existing snapshot is never replaced");
}
