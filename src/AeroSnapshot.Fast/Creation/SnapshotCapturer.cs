using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Layout;
using AeroSnapshot.Fast.Precopy;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// The first half of the specification's sequence, the part that must see the database frozen:
/// check the lock, prepare, make the WAL durable, copy (or clone, or append to a pre-copy) the
/// storage file and copy the schema tree into the staging directory, each byte read once. The
/// second half is <see cref="SnapshotCompleter"/>. The one-call create
/// (<see cref="SnapshotCreation"/>) runs both while the caller holds the lock and syncs each file as
/// it is copied; a capture (<see cref="SnapshotCaptureAttempt"/>) leaves every sync, and a clone's
/// checksum, to the completion, after the lock is released. The frame around it reports the first
/// failure with its step and removes what was made (<see cref="Removal"/>). The work of each step
/// lives in its own type: <see cref="SnapshotPreflight"/>, <see cref="StorageCopy"/>, <see cref="SchemaCopy"/>.
/// </summary>
internal sealed class SnapshotCapturer
{
    private readonly SnapshotRequest _request;
    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private readonly StepRecorder _recorder;
    private readonly bool _deferSyncs;
    private readonly FileCopier _copier = new();
    private readonly StagedSnapshotRemoval _removal = new();
    private readonly PrecopyReconciler? _precopy;  // the caller's pre-copy, if any (Precopy/)

    /// <param name="request">What to snapshot and the lock the caller holds.</param>
    /// <param name="options">The caller's options.</param>
    /// <param name="buffers">The manager's pool of copy buffers.</param>
    /// <param name="recorder">The step timings, shared with the completion.</param>
    /// <param name="deferSyncs">A capture: the syncs and a clone's checksum are left to the completion.</param>
    public SnapshotCapturer(SnapshotRequest request, SnapshotOptions options, AlignedBufferPool buffers, StepRecorder recorder, bool deferSyncs)
    {
        _request = request;
        _options = options;
        _buffers = buffers;
        _recorder = recorder;
        _deferSyncs = deferSyncs;
        _precopy = PrecopyReconciler.For(options);
    }

    /// <summary>What this capture made so far, for the frame's clean-up (and, once captured, the completion's).</summary>
    public StagedSnapshotRemoval Removal => _removal;

    /// <summary>Runs the capture's steps on <paramref name="steps"/>.</summary>
    public CapturedSnapshot Run(StepCursor steps)
    {
        // The caller holds the global execution lock: writes are paused from here on.
        steps.Enter(SnapshotStep.CheckLock);
        long pauseStart = Stopwatch.GetTimestamp();
        ExecutionLockCheck.ThrowUnlessHeld(_request.ExecutionLock, "A snapshot", "writes are paused for the whole snapshot");

        // One clock reading gives both the id and created_at.
        SnapshotId id = SnapshotId.FromDateTimeOffset(_options.TimeProvider.GetUtcNow());

        // Prepare: refuse now whatever would make the copy fail later; make the staging directory.
        steps.Enter(SnapshotStep.Prepare);
        string dataDirectory = _request.DataDirectory;
        if (NativeFile.TryStatus(dataDirectory) is not { Kind: FileKind.Directory })
        {
            throw new SnapshotException(SnapshotErrorCode.Failed, $"The data directory '{dataDirectory}' does not exist or is not a directory.", SnapshotStep.Prepare, dataDirectory);
        }

        string snapshotsDirectory = Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName);
        SnapshotPreflight.RefuseLinksOnTheWayToSchemas(dataDirectory, _request.SchemaDirectory);
        if (SnapshotPreflight.EnsureSnapshotsDirectory(snapshotsDirectory))
        {
            _removal.CreatedSnapshotsDirectory = snapshotsDirectory;
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
            _removal.Staging = staging;
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

        _removal.Staging = staging;

        // The WAL is durable before anything is copied.
        steps.Enter(SnapshotStep.SyncWal);
        _request.Wal.MakeDurable();

        // Copy the storage file, then the schema tree, each byte read once. With a usable pre-copy
        // the same two copies have less to do: only the storage tail and the schema files that
        // changed are copied.
        using AlignedBufferPool.Lease buffer = _buffers.Rent();
        var progress = new ProgressReporter(_options.Progress, storage.Status.Size + schemas.TotalBytes);
        var storageCopy = new StorageCopy(_options, _copier, steps, precopy);
        var schemaCopy = new SchemaCopy(
            _deferSyncs ? SchemaCopyPolicy.ForCapture(_options) : SchemaCopyPolicy.For(_options), _options, _copier, steps, _request.SchemaDirectory, precopy?.StagedSchemas);
        StagedStorage staged = storageCopy.Copy(storage, Path.Join(staging, SnapshotLayout.StorageFileName), buffer.Span, progress, _deferSyncs);
        ChecksumMap schemaChecksums;
        try
        {
            schemaChecksums = schemaCopy.Copy(schemas, Path.Join(staging, SnapshotLayout.SchemasDirectoryName), buffer.Span, progress);
        }
        catch
        {
            staged.OpenDestination?.Dispose();
            throw;
        }

        precopy?.SchemasReconciled(schemaCopy);
        var captured = new CapturedSnapshot
        {
            Id = id,
            Options = _options,
            Recorder = _recorder,
            DataDirectory = dataDirectory,
            SnapshotsDirectory = snapshotsDirectory,
            StagingDirectory = staging,
            Removal = _removal,
            StagedStorage = staged.OpenDestination,
            Writeback = staged.Writeback,
            StorageChecksum = staged.Checksum,
            StorageBytes = staged.Length,
            StorageCopy = storageCopy.Method,
            SchemaChecksums = schemaChecksums,
            Schemas = schemas,
            SchemaCopy = schemaCopy,
            SyncsDeferred = _deferSyncs,
            PauseStart = pauseStart,
            Pause = Stopwatch.GetElapsedTime(pauseStart),
            Precopy = _precopy?.ReportFor(schemas.Files.Count),
        };

        if (_deferSyncs)
        {
            // The pause ends here: the last step's time is the capture's, not the wait for the completion.
            _recorder.Finish();
        }

        return captured;
    }

    /// <summary>After a failure: closes a claimed pre-copy's staged storage (the frame then runs <see cref="Removal"/>).</summary>
    public void Abandon() => _precopy?.DisposeStagedStorage();
}
