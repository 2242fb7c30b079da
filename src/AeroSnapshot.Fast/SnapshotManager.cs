using System.Collections.Concurrent;
using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast;

/// <summary>
/// The AeroDB snapshot manager: takes point-in-time, durable, checksummed snapshots of a data
/// directory, and reads them back. One instance is meant to live as long as the database: it
/// owns the pooled copy buffers, which are reused across snapshots and freed on dispose.
/// </summary>
/// <remarks>
/// Everything runs on the calling thread with synchronous system calls; the manager starts no
/// threads and issues no asynchronous I/O (the specification forbids both inside a snapshot).
/// Thread-safe: any number of threads may call one instance at once (the buffer pool is shared);
/// operations on the same data directory are serialised by its <c>LOCK</c> and the caller's
/// execution lock, not by the instance. <see cref="Dispose"/> must not race a running call.
/// </remarks>
public sealed partial class SnapshotManager : IDisposable
{
    private readonly ConcurrentDictionary<int, AlignedBufferPool> _pools = new();
    private bool _disposed;

    /// <summary>
    /// Takes a snapshot of <paramref name="dataDirectory"/> into <c>snapshots/&lt;id&gt;/</c> and says
    /// what it made: its id and directory, bytes and files written, how the storage file was copied,
    /// the time taken, the write pause and the time of each step.
    /// </summary>
    /// <param name="dataDirectory">The AeroDB data directory; <c>snapshots/</c> is created in it if needed.</param>
    /// <param name="storagePath">The storage file (normally <c>&lt;data&gt;/storage.dat</c>).</param>
    /// <param name="schemaDirectory">The schema tree (normally <c>&lt;data&gt;/metadata/schemas</c>); a missing one is an empty tree.</param>
    /// <param name="wal">Made durable before anything is copied (step 2 of the sequence).</param>
    /// <param name="executionLock">Must be held by the calling thread for the whole call.</param>
    /// <param name="options">Clock, progress, cancellation and tuning; <see cref="SnapshotOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <exception cref="SnapshotException">The snapshot was not taken; nothing of it is left behind.</exception>
    public SnapshotResult CreateSnapshot(string dataDirectory, string storagePath, string schemaDirectory, IWalDurability wal, IExecutionLock executionLock, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(storagePath);
        return Create(new SnapshotRequest(
            dataDirectory, storagePath, null, schemaDirectory, wal, executionLock), options);
    }

    /// <summary>
    /// Takes a snapshot reading the storage file through the database's own handle, which is
    /// needed when the database holds the file open exclusively.
    /// </summary>
    /// <param name="dataDirectory">The AeroDB data directory.</param>
    /// <param name="storageHandle">The database's open handle to the storage file; it is read with positional reads and not closed.</param>
    /// <param name="storagePathForErrors">The storage file's path, used in messages only.</param>
    /// <param name="schemaDirectory">The schema tree.</param>
    /// <param name="wal">Made durable before anything is copied.</param>
    /// <param name="executionLock">Must be held by the calling thread.</param>
    /// <param name="options">Options, or null for the defaults.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <exception cref="SnapshotException">The snapshot was not taken; nothing of it is left behind.</exception>
    public SnapshotResult CreateSnapshot(string dataDirectory, SafeFileHandle storageHandle, string storagePathForErrors, string schemaDirectory, IWalDurability wal, IExecutionLock executionLock, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentNullException.ThrowIfNull(storageHandle);
        return Create(new SnapshotRequest(
            dataDirectory, storagePathForErrors ?? "storage.dat", storageHandle, schemaDirectory, wal, executionLock), options);
    }

    private SnapshotResult Create(SnapshotRequest request, SnapshotOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(request.DataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(request.SchemaDirectory);
        ArgumentNullException.ThrowIfNull(request.Wal);
        ArgumentNullException.ThrowIfNull(request.ExecutionLock);
        options ??= SnapshotOptions.Default;
        return new SnapshotCreation(request, options, Buffers(options), new StepRecorder()).Run();
    }

    /// <summary>The pool for the options' buffer size; pools live as long as the manager.</summary>
    internal AlignedBufferPool Buffers(SnapshotOptions options)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _pools.GetOrAdd(options.BufferSize, static size => new AlignedBufferPool(size));
    }

    /// <summary>Frees the pooled buffers.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (AlignedBufferPool pool in _pools.Values)
        {
            pool.Dispose();
        }

        _pools.Clear();
    }
}
