using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Checkpoint;

/// <summary>
/// One checkpoint, in the contract's strict order, all on the calling thread under the global
/// execution lock the caller holds: read the WAL through once as AeroDB's reader would (a WAL it
/// refuses stops the checkpoint with <c>AERO_WAL_CORRUPTION</c>, nothing changed) → fsync the WAL
/// and take a snapshot (the normal create, durable and published) → write the intent → write
/// <c>checkpoint.json</c> durably → reset the WAL (<see cref="WalReset"/>) and fsync it and
/// <c>wal/</c> → remove the intent. A WAL that does not exist is empty: nothing to check or reset.
/// </summary>
/// <remarks>
/// Failures: before the WAL is touched, the checkpoint stops and leaves the snapshot (a valid
/// snapshot is never taken back) and the WAL as they are; a marker it had written is removed with
/// the intent, so no <c>checkpoint.json</c> claims a truncation that did not happen. When the
/// truncation succeeded but its fsync failed, the WAL may be empty or not on disk: the intent stays
/// and <c>clean</c> finishes the reset (<see cref="CheckpointRecovery"/>).
/// </remarks>
internal sealed class CheckpointRunner : OperationAttempt<CheckpointResult>
{
    private readonly SnapshotManager _manager;
    private readonly CheckpointRequest _request;
    private readonly SnapshotOptions _options;
    private bool _undoOnFailure;   // while the marker is written or the WAL truncated: a failure takes both back

    public CheckpointRunner(SnapshotManager manager, CheckpointRequest request, SnapshotOptions options)
        : base(options, recorder: null, SnapshotStep.CheckLock, OperationTelemetry.Checkpoint)
    {
        _manager = manager;
        _request = request;
        _options = options;
    }

    protected override string Describe(SnapshotStep step) => $"Checkpoint step {step}";

    protected override string Component => "checkpoint";

    protected override void TagSpan(System.Diagnostics.Activity activity) => activity.SetTag("aerosnap.data_dir", _request.DataDirectory);

    protected override TimeSpan? Elapsed(CheckpointResult result) => result.Duration;

    protected override CheckpointResult RunSteps()
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();

        // Attributed, not entered: the steps a test can stop a checkpoint at are its own four and its snapshot's.
        Steps.Attribute(SnapshotStep.CheckLock);
        ExecutionLockCheck.ThrowUnlessHeld(_request.ExecutionLock, "A checkpoint", "writes are paused for the whole snapshot");

        if (_request.WalHandle is null)
        {
            // Without the database's own WAL handle this is a checkpoint of a stopped data directory
            // (the CLI's): refused while AeroDB's running marker is there, as AeroDB's restore does. A
            // caller passing its WAL handle is the running database itself, whose marker it is.
            DataDirectoryLayout.ThrowIfRunning(_request.DataDirectory, "A checkpoint of a stopped data directory");
        }

        string dataDirectory = _request.DataDirectory;
        string walPath = Path.GetFullPath(_request.WalPath);
        SafeFileHandle? owned = null;
        try
        {
            // A WAL that does not exist is an empty one, as AeroDB's writer treats it: there is
            // nothing to check, to fsync or to reset.
            SafeFileHandle? wal = _request.WalHandle;
            if (wal is null && NativeFile.TryStatus(walPath) is not null)
            {
                Steps.Attribute(SnapshotStep.Prepare);
                owned = WalReset.Open(walPath, out _);
                wal = owned;
            }

            // Before anything changes: a WAL AeroDB's reader would refuse is corruption (K2), and a
            // checkpoint must never be what erases the evidence. Read through a read-only descriptor
            // of its own (the database's handle may be open for appending only); nothing writes to
            // the WAL while the lock is held.
            long validated = wal is null ? 0 : _manager.ValidateWal(walPath, _options).Bytes;

            // An earlier checkpoint interrupted after its snapshot is finished or undone first, so
            // at most one intent ever exists.
            Steps.Attribute(SnapshotStep.CheckpointWriteIntent);
            CheckpointRecovery.Recover(dataDirectory);

            IWalDurability durability = wal is null ? WalDurability.None : WalDurability.ForHandle(wal, walPath);
            SnapshotId id = _request.StorageHandle is { } storage
                ? _manager.CreateSnapshot(dataDirectory, storage, _request.StoragePath, _request.SchemaDirectory, durability, _request.ExecutionLock, _options).Id
                : _manager.CreateSnapshot(dataDirectory, _request.StoragePath, _request.SchemaDirectory, durability, _request.ExecutionLock, _options).Id;

            // The WAL was fsynced by the snapshot's step SyncWal; nothing writes to it while the lock is held.
            long walLength = wal is null ? 0 : NativeFile.Status(wal, walPath).Size;
            if (walLength != validated)
            {
                // Bytes nobody checked would be erased by the reset: stop before the WAL is touched.
                throw new SnapshotException(
                    SnapshotErrorCode.Failed,
                    $"The WAL '{walPath}' changed during the checkpoint ({validated} bytes were checked, it now has {walLength}): something writes to it without holding the execution lock. The snapshot stays; the WAL was not reset.",
                    SnapshotStep.CheckpointWriteIntent,
                    walPath,
                    rule: "writes are paused for the whole snapshot");
            }
            var intent = new CheckpointIntent(id, walPath, walLength);
            Steps.Enter(SnapshotStep.CheckpointWriteIntent);
            intent.Write(dataDirectory);

            Steps.Enter(SnapshotStep.CheckpointWriteMarker);
            var marker = new CheckpointMarker
            {
                SnapshotId = id,
                CreatedAt = SnapshotInstant.FromDateTimeOffset(_options.TimeProvider.GetUtcNow()),
                WalTruncated = true,
                FormatVersion = CheckpointMarker.CurrentFormatVersion,
            };
            string markerPath = Path.Join(dataDirectory, CheckpointMarker.FileName);
            _undoOnFailure = true;
            WriteMarker(marker, markerPath);

            Steps.Enter(SnapshotStep.CheckpointResetWal);
            if (wal is not null)
            {
                WalReset.Truncate(wal, walPath);

                // Truncated: if its sync fails the WAL may be empty or not on disk; the intent stays
                // and clean finishes the reset.
                _undoOnFailure = false;
                WalReset.Sync(wal, walPath);
            }

            _undoOnFailure = false;
            Steps.Enter(SnapshotStep.CheckpointRemoveIntent);
            CheckpointRecovery.RemoveIntent(dataDirectory);
            return new CheckpointResult(id, marker, markerPath, walPath, walLength) { Duration = System.Diagnostics.Stopwatch.GetElapsedTime(start) };
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static void WriteMarker(CheckpointMarker marker, string path)
    {
        var bytes = new byte[marker.GetUtf8ByteCount()];
        if (!marker.TryWriteUtf8(bytes, out int written) || written != bytes.Length)
        {
            throw new SnapshotException(SnapshotErrorCode.Manifest, "checkpoint.json could not be serialized.", SnapshotStep.CheckpointWriteMarker, path);
        }

        DurableFile.Replace(path, bytes);
    }

    /// <summary>Takes back this checkpoint's marker and intent when the failure came while they were being written or the WAL truncated.</summary>
    protected override Exception? CleanUp()
    {
        if (!_undoOnFailure)
        {
            return null;
        }

        try
        {
            CheckpointRecovery.Undo(_request.DataDirectory);
            return null;
        }
        catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
        {
            return cleanup;
        }
    }
}

/// <summary>What a checkpoint needs: the snapshot's sources, the WAL, and the lock.</summary>
internal sealed record CheckpointRequest(
    string DataDirectory,
    string StoragePath,
    SafeFileHandle? StorageHandle,
    string SchemaDirectory,
    string WalPath,
    SafeFileHandle? WalHandle,
    IExecutionLock ExecutionLock);
