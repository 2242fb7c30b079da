using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Precopy;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// <see cref="SnapshotStep.CopyStorage"/> and <see cref="SnapshotStep.SyncStorage"/>: the copy (a
/// reflink where the file system shares extents, else the streamed copy loop with its writeback
/// window, or, after a pre-copy whose prefix is verified unchanged, the tail appended to it with the
/// CRC-32 continued), its sync, and the check that the source did not change while it was copied.
/// </summary>
internal sealed class StorageCopy(SnapshotOptions options, FileCopier copier, StepCursor steps, PrecopyReconciler? precopy = null)
{
    /// <summary>How the storage file reached the snapshot (known once <see cref="Copy"/> returned).</summary>
    public StorageCopyMethod Method { get; private set; } = StorageCopyMethod.Streamed;

    public Crc32Checksum Copy(SourceFile storage, string destinationPath, Span<byte> buffer, ProgressReporter progress)
    {
        steps.Enter(SnapshotStep.CopyStorage);
        StagedStoragePrefix? prefix = precopy?.TakeVerifiedStoragePrefix(storage, destinationPath, copier, buffer, progress);
        using SafeFileHandle destination = prefix?.Handle ?? NativeFile.CreateNew(
            destinationPath, FileModes.ReadOnlyFile, direct: options.StorageWriteMode == DestinationWriteMode.Direct);
        // Sequential read-ahead on the source; its pages are the database's cache, never evicted.
        NativeFile.AdviseSequential(storage.Handle);

        CopiedFile copy;
        long copied;
        if (prefix is not null)
        {
            copy = copier.Copy(new CopyJob
            {
                Source = storage.Handle,
                SourcePath = storage.Path,
                Offset = prefix.Length,
                Crc = prefix.Crc,
                Destination = destination,
                DestinationPath = destinationPath,
                Buffer = buffer,
                WritebackWindowBytes = options.WritebackWindowBytes,
                Progress = progress,
                Cancellation = options.CancellationToken,
            });
            copied = prefix.Length + copy.Length;
            precopy!.StorageAppended(copy.Length);
        }
        else if (options.UseReflink && storage.Status.Size > 0 && Reflink.TryClone(storage.Handle, destination, destinationPath))
        {
            // The clone shares the source's blocks: read it once for the checksum. Its pages are
            // the copy's own (a separate inode), so the database's cache is left alone.
            using var cloneForRead = NativeFile.OpenRegularForRead(destinationPath, out _);
            copy = copier.Copy(new CopyJob { Source = cloneForRead, SourcePath = destinationPath, Buffer = buffer, Progress = progress, Cancellation = options.CancellationToken });
            copied = copy.Length;
            Method = StorageCopyMethod.Reflinked;
        }
        else
        {
            if (options.Preallocate && storage.Status.Size > 0)
            {
                NativeFile.Preallocate(destination, destinationPath, storage.Status.Size);
            }

            copy = copier.Copy(new CopyJob
            {
                Source = storage.Handle,
                SourcePath = storage.Path,
                Destination = destination,
                DestinationPath = destinationPath,
                Buffer = buffer,
                Mode = options.StorageWriteMode,
                WritebackWindowBytes = options.WritebackWindowBytes,
                Progress = progress,
                Cancellation = options.CancellationToken,
            });
            copied = copy.Length;
        }

        steps.Enter(SnapshotStep.SyncStorage);
        NativeFile.Sync(destination, destinationPath, dataOnly: !options.SyncFilesWithFsync);
        copy.Writeback.OnSynced(destination);

        // The database promised no writes while we hold its lock; if the file changed anyway, the
        // copy is not a point-in-time image and must not be published.
        FileStatus after = NativeFile.Status(storage.Handle, storage.Path);
        if (copied != storage.Status.Size || after.Size != storage.Status.Size
            || after.ModifiedSeconds != storage.Status.ModifiedSeconds || after.ModifiedNanoseconds != storage.Status.ModifiedNanoseconds)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The storage file '{storage.Path}' changed while it was copied (size {storage.Status.Size} → {after.Size}, {copied} bytes copied): something wrote without holding the execution lock.",
                SnapshotStep.CopyStorage,
                storage.Path,
                rule: "writes are paused for the whole snapshot");
        }

        return copy.Checksum;
    }
}
