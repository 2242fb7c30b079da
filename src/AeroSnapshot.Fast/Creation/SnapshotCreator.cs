using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Layout;
using AeroSnapshot.Fast.Precopy;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// One snapshot attempt: the specification's sequence of steps on top of the durable publish
/// protocol, read top to bottom in <see cref="RunSteps"/>. The steps run in order on the calling
/// thread; the first failure stops the attempt, removes everything it made, and is reported with
/// the step it happened in (<see cref="OperationAttempt{TResult}"/>). The work of each step lives
/// in its own type: <see cref="SnapshotPreflight"/>, <see cref="StorageCopy"/>,
/// <see cref="SchemaCopy"/>, <see cref="SnapshotPublication"/>.
/// </summary>
internal sealed class SnapshotCreator : OperationAttempt<SnapshotResult>
{
    private readonly SnapshotRequest _request;
    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private readonly StepRecorder _recorder;
    private readonly FileCopier _copier = new();
    private string? _stagingDirectory;
    private string? _publishedDirectory;
    private string? _createdSnapshotsDirectory;   // snapshots/ made by this attempt: removed again if it fails
    private readonly PrecopyReconciler? _precopy;  // the caller's pre-copy, if any (Precopy/)

    public SnapshotCreator(SnapshotRequest request, SnapshotOptions options, AlignedBufferPool buffers, StepRecorder recorder)
        : base(options, recorder, SnapshotStep.CheckLock)
    {
        _request = request;
        _options = options;
        _buffers = buffers;
        _recorder = recorder;
        _precopy = PrecopyReconciler.For(options);
    }

    protected override string Describe(SnapshotStep step) => $"Snapshot step {step}";

    protected override SnapshotResult RunSteps()
    {
        // The caller holds the global execution lock: writes are paused from here to the return.
        Steps.Enter(SnapshotStep.CheckLock);
        long pauseStart = Stopwatch.GetTimestamp();
        if (!_request.ExecutionLock.IsHeldByCurrentThread)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                "A snapshot may only be taken while the calling thread holds the global execution lock.",
                SnapshotStep.CheckLock,
                rule: "writes are paused for the whole snapshot");
        }

        // One clock reading gives both the id and created_at.
        SnapshotId id = SnapshotId.FromDateTimeOffset(_options.TimeProvider.GetUtcNow());

        // Prepare: refuse now whatever would make the copy fail later; make the staging directory.
        Steps.Enter(SnapshotStep.Prepare);
        string dataDirectory = _request.DataDirectory;
        if (NativeFile.TryStatus(dataDirectory) is not { Kind: FileKind.Directory })
        {
            throw new SnapshotException(SnapshotErrorCode.Failed, $"The data directory '{dataDirectory}' does not exist or is not a directory.", SnapshotStep.Prepare, dataDirectory);
        }

        string snapshotsDirectory = Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName);
        SnapshotPreflight.RefuseLinksOnTheWayToSchemas(dataDirectory, _request.SchemaDirectory);
        if (SnapshotPreflight.EnsureSnapshotsDirectory(snapshotsDirectory))
        {
            _createdSnapshotsDirectory = snapshotsDirectory;
        }

        string finalDirectory = Path.Join(snapshotsDirectory, id.ToString());
        if (NativeFile.TryStatus(finalDirectory) is not null)
        {
            throw SnapshotPublication.Collision(id, finalDirectory);
        }

        string staging = Path.Join(snapshotsDirectory, StagingArea.StagingName(id));

        // A pre-copy's directory becomes this attempt's staging directory, before leftovers (which
        // it would be one of) are removed; an unusable pre-copy leaves the ordinary path.
        PrecopyReconciler? precopy = _precopy?.TryClaim(dataDirectory, _request.SchemaDirectory, staging) == true ? _precopy : null;
        if (precopy is not null)
        {
            _stagingDirectory = staging;
        }

        StagingArea.RemoveLeftovers(snapshotsDirectory, keep: precopy is null ? null : Path.GetFileName(staging));

        using SourceFile storage = SnapshotPreflight.OpenStorage(_request);
        SchemaTree schemas = SchemaTree.Scan(_request.SchemaDirectory);
        SnapshotPreflight.CheckPathLengths(_request.SchemaDirectory, Path.Join(staging, SnapshotLayout.SchemasDirectoryName), schemas);
        SnapshotPreflight.CheckFreeSpace(snapshotsDirectory, storage.Status.Size - (precopy?.PrefixBytes ?? 0), schemas);
        if (precopy is null)
        {
            NativeFile.MakeDirectory(staging, FileModes.Directory);
        }

        _stagingDirectory = staging;

        // The WAL is durable before anything is copied.
        Steps.Enter(SnapshotStep.SyncWal);
        _request.Wal.MakeDurable();

        // Copy and sync the storage file, then the schema tree, each byte read once. With a usable
        // pre-copy the same two copies have less to do: only the storage tail and the schema files
        // that changed are copied.
        using AlignedBufferPool.Lease buffer = _buffers.Rent();
        var progress = new ProgressReporter(_options.Progress, storage.Status.Size + schemas.TotalBytes);
        var storageCopy = new StorageCopy(_options, _copier, Steps, precopy);
        var schemaCopy = new SchemaCopy(SchemaCopyPolicy.For(_options), _options, _copier, Steps, _request.SchemaDirectory, precopy?.StagedSchemas);
        Crc32Checksum storageChecksum = storageCopy.Copy(storage, Path.Join(staging, SnapshotLayout.StorageFileName), buffer.Span, progress);
        ChecksumMap schemaChecksums = schemaCopy.Copy(schemas, Path.Join(staging, SnapshotLayout.SchemasDirectoryName), buffer.Span, progress);
        precopy?.SchemasReconciled(schemaCopy);

        // The manifest, from the checksums computed while copying (nothing is read back).
        Steps.Enter(SnapshotStep.WriteManifest);
        SnapshotManifest manifest = SnapshotManifest.Create(id, storageChecksum, schemaChecksums);
        int manifestBytes = SnapshotPublication.WriteManifest(manifest, Path.Join(staging, SnapshotManifest.FileName), buffer.Span, dataOnlySync: !_options.SyncFilesWithFsync, Steps);

        // The staging directory's entries are durable before it gets its final name.
        Steps.Enter(SnapshotStep.SyncStaging);
        NativeFile.SyncDirectory(staging);

        // Publish: one rename that never replaces an existing snapshot.
        Steps.Enter(SnapshotStep.Publish);
        SnapshotPublication.Publish(staging, finalDirectory, id);
        _stagingDirectory = null;
        _publishedDirectory = finalDirectory;

        // The rename is durable: snapshots/, then the data directory that holds it.
        Steps.Enter(SnapshotStep.SyncParent);
        NativeFile.SyncDirectory(snapshotsDirectory);

        // Always, not only when this attempt's mkdir made snapshots/: an earlier attempt that made it
        // and then failed or was killed before this fsync leaves an entry that may not be durable,
        // and every later attempt would find the directory existing. With nothing dirty in the data
        // directory this fsync costs the system calls and no I/O.
        NativeFile.SyncDirectory(dataDirectory);
        _createdSnapshotsDirectory = null;

        _publishedDirectory = null;
        _recorder.Finish();
        return new SnapshotResult(
            id,
            finalDirectory,
            storage.Status.Size + schemas.TotalBytes + manifestBytes,
            schemas.Files.Count + 2,
            storageCopy.Method,
            _recorder.Elapsed,
            Stopwatch.GetElapsedTime(pauseStart),
            _recorder.Steps)
        {
            Precopy = _precopy?.ReportFor(schemas.Files.Count),
        };
    }

    /// <summary>Removes what this attempt made; returns the clean-up's own failure, if any.</summary>
    protected override Exception? CleanUp()
    {
        _precopy?.DisposeStagedStorage();
        try
        {
            if (_publishedDirectory is { } published && _stagingDirectory is null)
            {
                // Published but not durable: take it back out of sight before deleting it, so a
                // crash during deletion cannot leave a half-deleted tree under a snapshot's name.
                string aside = Path.Join(Path.GetDirectoryName(published)!, StagingArea.DeletingPrefix + Path.GetFileName(published));
                if (!AtomicRename.TryNoReplace(published, aside, isDirectory: true))
                {
                    throw new NativeIOException("rename", aside, Errno.EEXIST, "a leftover of that name is in the way");
                }

                _publishedDirectory = null;
                _stagingDirectory = aside;
            }

            if (_stagingDirectory is { } staging)
            {
                DirectoryTree.Delete(staging);
                _stagingDirectory = null;
                NativeFile.SyncDirectory(Path.GetDirectoryName(staging)!);
            }

            if (_createdSnapshotsDirectory is { } created)
            {
                // Made by this attempt and empty again: a failed create leaves the data directory as
                // it found it. rmdir refuses if anything appeared in it meanwhile; then it stays.
                _createdSnapshotsDirectory = null;
                if (NativeFile.TryRemoveEmptyDirectory(created))
                {
                    NativeFile.SyncDirectory(Path.GetDirectoryName(created)!);
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _options.Logger?.LogCleanupFailed(ex);
            return ex;
        }
    }
}
