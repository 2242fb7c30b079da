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
/// A capture leaves the sync, and a clone's checksum, to its completion: the clone is already a
/// point-in-time image nobody else can write, and reading it for its CRC need not pause writes.
/// </summary>
internal sealed class StorageCopy(SnapshotOptions options, FileCopier copier, StepCursor steps, PrecopyReconciler? precopy = null)
{
    /// <summary>How the storage file reached the snapshot (known once <see cref="Copy"/> returned).</summary>
    public StorageCopyMethod Method { get; private set; } = StorageCopyMethod.Streamed;

    /// <summary>Copies <paramref name="storage"/> to <paramref name="destinationPath"/> through <paramref name="buffer"/>, reporting to <paramref name="progress"/>.</summary>
    /// <param name="storage">The open source and what it looked like before.</param>
    /// <param name="destinationPath">The staged storage file.</param>
    /// <param name="buffer">The pooled copy buffer.</param>
    /// <param name="progress">Where bytes copied are reported.</param>
    /// <param name="deferSync">A capture's copy: no sync, and a clone is not read for its checksum; the destination stays open for the completion.</param>
    public StagedStorage Copy(SourceFile storage, string destinationPath, Span<byte> buffer, ProgressReporter progress, bool deferSync)
    {
        steps.Enter(SnapshotStep.CopyStorage);
        StagedStoragePrefix? prefix = precopy?.TakeVerifiedStoragePrefix(storage, destinationPath, copier, buffer, progress);
        SafeFileHandle destination = prefix?.Handle ?? NativeFile.CreateNew(
            destinationPath, FileModes.ReadOnlyFile, direct: options.StorageWriteMode == DestinationWriteMode.Direct);
        try
        {
            StagedStorage staged = CopyInto(storage, prefix, destination, destinationPath, buffer, progress, deferSync);
            if (!deferSync)
            {
                destination.Dispose();
            }

            return staged;
        }
        catch
        {
            destination.Dispose();
            throw;
        }
    }

    private StagedStorage CopyInto(SourceFile storage, StagedStoragePrefix? prefix, SafeFileHandle destination, string destinationPath, Span<byte> buffer, ProgressReporter progress, bool deferSync)
    {
        // Sequential read-ahead on the source; its pages are the database's cache, never evicted.
        NativeFile.AdviseSequential(storage.Handle);

        CopiedFile copy = default;
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
            Method = StorageCopyMethod.Reflinked;
            copied = NativeFile.Status(destination, destinationPath).Size;
            if (!deferSync)
            {
                copy = ChecksumOfClone(destinationPath, buffer, progress);
            }
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

        if (!deferSync)
        {
            steps.Enter(SnapshotStep.SyncStorage);
            NativeFile.Sync(destination, destinationPath, dataOnly: !options.SyncFilesWithFsync);
            copy.Writeback.OnSynced(destination);
        }

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

        bool checksumKnown = Method != StorageCopyMethod.Reflinked || !deferSync;
        return new StagedStorage(checksumKnown ? copy.Checksum : null, copied, copy.Writeback, deferSync ? destination : null);
    }

    /// <summary>
    /// The clone shares the source's blocks: read it once for the checksum. Its pages are the
    /// copy's own (a separate inode), so the database's cache is left alone.
    /// </summary>
    public CopiedFile ChecksumOfClone(string clonePath, Span<byte> buffer, ProgressReporter progress)
    {
        using SafeFileHandle clone = NativeFile.OpenRegularForRead(clonePath, out _);
        return copier.Copy(new CopyJob { Source = clone, SourcePath = clonePath, Buffer = buffer, Progress = progress, Cancellation = options.CancellationToken });
    }
}

/// <summary>
/// The storage file in the staging directory: its CRC-32 (null for a capture's clone, read by the
/// completion), its length, the copy's writeback window, and, for a capture, the still open
/// destination the completion syncs.
/// </summary>
internal readonly record struct StagedStorage(Crc32Checksum? Checksum, long Length, WritebackWindow Writeback, SafeFileHandle? OpenDestination);
