using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast;

public sealed partial class SnapshotManager
{
    /// <summary>
    /// Captures a snapshot while the caller holds <paramref name="executionLock"/>, doing only what
    /// must see the database frozen: the WAL made durable, <c>storage.dat</c> cloned where the file
    /// system shares extents (XFS with reflink, btrfs: the pause then does not grow with the file) or
    /// copied (appended to a pre-copy), the schema tree copied. Release the lock, then call
    /// <see cref="SnapshotCapture.Complete"/> for the checksums, syncs, manifest and publication.
    /// </summary>
    /// <param name="dataDirectory">The data directory; the snapshot is published under its <c>snapshots/</c>.</param>
    /// <param name="storagePath">The storage file.</param>
    /// <param name="schemaDirectory">The schema tree.</param>
    /// <param name="wal">Makes the WAL durable first (<see cref="WalDurability"/>).</param>
    /// <param name="executionLock">The lock that pauses the database's writes; the calling thread must hold it.</param>
    /// <param name="options">As for <c>CreateSnapshot</c>; the same options are used by the completion.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <returns>The capture; dispose it (completed or not) when done.</returns>
    /// <exception cref="SnapshotException">The capture failed; nothing of it is left behind.</exception>
    public SnapshotCapture CaptureSnapshot(string dataDirectory, string storagePath, string schemaDirectory, IWalDurability wal, IExecutionLock executionLock, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(storagePath);
        return Capture(new SnapshotRequest(dataDirectory, storagePath, null, schemaDirectory, wal, executionLock), options);
    }

    /// <summary>
    /// Captures a snapshot reading the storage file through the database's own open handle (see
    /// the handle overload of <c>CreateSnapshot</c>); otherwise as the path overload.
    /// </summary>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="storageHandle">The database's open handle on its storage file, readable.</param>
    /// <param name="storagePathForErrors">The storage file's path, for messages.</param>
    /// <param name="schemaDirectory">The schema tree.</param>
    /// <param name="wal">Makes the WAL durable first.</param>
    /// <param name="executionLock">The lock that pauses the database's writes; the calling thread must hold it.</param>
    /// <param name="options">As for <c>CreateSnapshot</c>.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <returns>The capture; dispose it (completed or not) when done.</returns>
    /// <exception cref="SnapshotException">The capture failed; nothing of it is left behind.</exception>
    public SnapshotCapture CaptureSnapshot(string dataDirectory, SafeFileHandle storageHandle, string storagePathForErrors, string schemaDirectory, IWalDurability wal, IExecutionLock executionLock, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentNullException.ThrowIfNull(storageHandle);
        return Capture(new SnapshotRequest(dataDirectory, storagePathForErrors ?? "storage.dat", storageHandle, schemaDirectory, wal, executionLock), options);
    }

    private SnapshotCapture Capture(SnapshotRequest request, SnapshotOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(request.DataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(request.SchemaDirectory);
        ArgumentNullException.ThrowIfNull(request.Wal);
        ArgumentNullException.ThrowIfNull(request.ExecutionLock);
        options ??= SnapshotOptions.Default;
        AlignedBufferPool buffers = Buffers(options);
        CapturedSnapshot captured = new SnapshotCaptureAttempt(request, options, buffers, new StepRecorder()).Run();
        return new SnapshotCapture(captured, buffers);
    }
}
