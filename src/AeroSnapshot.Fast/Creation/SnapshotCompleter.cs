using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// The second half of the specification's sequence, the part that reads and syncs only the
/// snapshot's own files: a captured clone's checksum and the syncs a capture deferred, then the
/// manifest, the staging directory's sync, the no-replace publish and the parents' syncs. After a
/// capture it runs once the caller has released the lock; in the one-call create, right after the
/// capture. A failure removes the staging directory (and a publication not yet durable).
/// </summary>
internal sealed class SnapshotCompleter : OperationAttempt<SnapshotResult>
{
    private readonly CapturedSnapshot _captured;
    private readonly AlignedBufferPool _buffers;
    private readonly StagedSnapshotRemoval _removal;

    public SnapshotCompleter(CapturedSnapshot captured, AlignedBufferPool buffers)
        : base(captured.Options, captured.Recorder, SnapshotStep.WriteManifest)
    {
        _captured = captured;
        _buffers = buffers;
        _removal = new StagedSnapshotRemoval { Staging = captured.StagingDirectory, CreatedSnapshotsDirectory = captured.CreatedSnapshotsDirectory };
    }

    protected override string Describe(SnapshotStep step) => $"Snapshot step {step}";

    protected override SnapshotResult RunSteps()
    {
        CapturedSnapshot captured = _captured;
        SnapshotOptions options = captured.Options;
        using AlignedBufferPool.Lease buffer = _buffers.Rent();
        Crc32Checksum storageChecksum = captured.StorageChecksum ?? ChecksumOfClone(buffer.Span);
        if (captured.SyncsDeferred)
        {
            SyncStorage();
            captured.SchemaCopy.SyncDeferred(captured.Schemas, captured.StagedSchemasPath);
        }

        // The manifest, from the checksums computed while copying (nothing is read back).
        Steps.Enter(SnapshotStep.WriteManifest);
        SnapshotManifest manifest = SnapshotManifest.Create(captured.Id, storageChecksum, captured.SchemaChecksums);
        string staging = captured.StagingDirectory;
        int manifestBytes = SnapshotPublication.WriteManifest(manifest, Path.Join(staging, SnapshotManifest.FileName), buffer.Span, dataOnlySync: !options.SyncFilesWithFsync, Steps);

        // The staging directory's entries are durable before it gets its final name.
        Steps.Enter(SnapshotStep.SyncStaging);
        NativeFile.SyncDirectory(staging);

        // Publish: one rename that never replaces an existing snapshot.
        Steps.Enter(SnapshotStep.Publish);
        SnapshotPublication.Publish(staging, captured.FinalDirectory, captured.Id);
        _removal.Staging = null;
        _removal.Published = captured.FinalDirectory;

        // The rename is durable: snapshots/, then the data directory that holds it.
        Steps.Enter(SnapshotStep.SyncParent);
        NativeFile.SyncDirectory(captured.SnapshotsDirectory);

        // Always, not only when this snapshot's mkdir made snapshots/: an earlier attempt that made it
        // and then failed or was killed before this fsync leaves an entry that may not be durable,
        // and every later attempt would find the directory existing. With nothing dirty in the data
        // directory this fsync costs the system calls and no I/O.
        NativeFile.SyncDirectory(captured.DataDirectory);
        _removal.CreatedSnapshotsDirectory = null;
        _removal.Published = null;

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
    private Crc32Checksum ChecksumOfClone(Span<byte> buffer)
    {
        Steps.Enter(SnapshotStep.ChecksumStorage);
        var copier = new FileCopier();
        using var clone = NativeFile.OpenRegularForRead(_captured.StagedStoragePath, out _);
        return copier.Copy(new CopyJob
        {
            Source = clone,
            SourcePath = _captured.StagedStoragePath,
            Buffer = buffer,
            Cancellation = _captured.Options.CancellationToken,
        }).Checksum;
    }

    private void SyncStorage()
    {
        Steps.Enter(SnapshotStep.SyncStorage);
        string path = _captured.StagedStoragePath;
        using var destination = _captured.StagedStorage ?? NativeFile.OpenForSync(path, directory: false);
        _captured.StagedStorage = null;
        NativeFile.Sync(destination, path, dataOnly: !_captured.Options.SyncFilesWithFsync);
        _captured.Writeback.OnSynced(destination);
    }

    /// <summary>Removes what the capture and this completion made; returns the clean-up's own failure, if any.</summary>
    protected override Exception? CleanUp()
    {
        _captured.Dispose();
        return _removal.Run(_captured.Options.Logger);
    }
}
