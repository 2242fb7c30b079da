using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// The second half of the specification's sequence, the part that reads and syncs only the
/// snapshot's own files: a captured clone's checksum and the syncs a capture deferred, then the
/// manifest, the staging directory's sync, the no-replace publish and the parents' syncs. After a
/// capture it runs once the caller has released the lock (<see cref="SnapshotCompletionAttempt"/>);
/// in the one-call create, right after the capture (<see cref="SnapshotCreation"/>). What it
/// publishes is recorded in the capture's <see cref="CapturedSnapshot.Removal"/> until it is durable.
/// </summary>
internal sealed class SnapshotCompleter(CapturedSnapshot captured, AlignedBufferPool buffers)
{
    /// <summary>Runs the completion's steps on <paramref name="steps"/>.</summary>
    public SnapshotResult Run(StepCursor steps)
    {
        SnapshotOptions options = captured.Options;
        StagedSnapshotRemoval removal = captured.Removal;
        using AlignedBufferPool.Lease buffer = buffers.Rent();
        Crc32Checksum storageChecksum = captured.StorageChecksum ?? ChecksumOfClone(steps, buffer.Span);
        if (captured.SyncsDeferred)
        {
            SyncStorage(steps);
            captured.SchemaCopy.SyncDeferred(steps, captured.Schemas, captured.StagedSchemasPath);
        }

        // The manifest, from the checksums computed while copying (nothing is read back).
        steps.Enter(SnapshotStep.WriteManifest);
        SnapshotManifest manifest = SnapshotManifest.Create(captured.Id, storageChecksum, captured.SchemaChecksums);
        string staging = captured.StagingDirectory;
        int manifestBytes = SnapshotPublication.WriteManifest(manifest, Path.Join(staging, SnapshotManifest.FileName), buffer.Span, dataOnlySync: !options.SyncFilesWithFsync, steps);

        // The staging directory's entries are durable before it gets its final name.
        steps.Enter(SnapshotStep.SyncStaging);
        NativeFile.SyncDirectory(staging);

        // Publish: one rename that never replaces an existing snapshot.
        steps.Enter(SnapshotStep.Publish);
        SnapshotPublication.Publish(staging, captured.FinalDirectory, captured.Id);
        removal.Staging = null;
        removal.Published = captured.FinalDirectory;

        // The rename is durable: snapshots/, then the data directory that holds it.
        steps.Enter(SnapshotStep.SyncParent);
        NativeFile.SyncDirectory(captured.SnapshotsDirectory);

        // Always, not only when this snapshot's mkdir made snapshots/: an earlier attempt that made it
        // and then failed or was killed before this fsync leaves an entry that may not be durable,
        // and every later attempt would find the directory existing. With nothing dirty in the data
        // directory this fsync costs the system calls and no I/O.
        NativeFile.SyncDirectory(captured.DataDirectory);
        removal.CreatedSnapshotsDirectory = null;
        removal.Published = null;

        captured.Recorder.Finish();
        return new SnapshotResult(
            captured.Id,
            captured.FinalDirectory,
            captured.StorageBytes + captured.Schemas.TotalBytes + manifestBytes,
            captured.Schemas.Files.Count + 2,
            captured.StorageCopy,
            captured.Recorder.Elapsed,
            captured.SyncsDeferred ? captured.Pause : Stopwatch.GetElapsedTime(captured.PauseStart),
            captured.Recorder.Steps)
        {
            Precopy = captured.Precopy,
        };
    }

    /// <summary>The clone a capture made is the snapshot's own immutable file: read for its CRC now, outside the pause.</summary>
    private Crc32Checksum ChecksumOfClone(StepCursor steps, Span<byte> buffer)
    {
        steps.Enter(SnapshotStep.ChecksumStorage);
        using var clone = NativeFile.OpenRegularForRead(captured.StagedStoragePath, out _);
        return new FileCopier().Copy(new CopyJob
        {
            Source = clone,
            SourcePath = captured.StagedStoragePath,
            Buffer = buffer,
            Cancellation = captured.Options.CancellationToken,
        }).Checksum;
    }

    private void SyncStorage(StepCursor steps)
    {
        steps.Enter(SnapshotStep.SyncStorage);
        string path = captured.StagedStoragePath;
        using var destination = captured.StagedStorage ?? NativeFile.OpenForSync(path, directory: false);
        captured.StagedStorage = null;
        NativeFile.Sync(destination, path, dataOnly: !captured.Options.SyncFilesWithFsync);
        captured.Writeback.OnSynced(destination);
    }
}
