using AeroSnapshot.Fast.Copying;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// A snapshot captured while the caller held its execution lock and not yet published
/// (<see cref="SnapshotManager.CaptureSnapshot(string, string, string, IWalDurability, IExecutionLock, SnapshotOptions?, CancellationToken)"/>):
/// the storage file cloned or copied and the schema tree copied into the staging directory, as
/// they were at the capture. Release the lock, then call <see cref="Complete"/>: it checksums a
/// clone, makes everything durable, writes the manifest and publishes, reading only the snapshot's
/// own files. Disposing without completing removes the staging directory.
/// </summary>
/// <remarks>
/// Until it is completed nothing is visible: a crash leaves an ordinary staging leftover that
/// <c>clean</c> (or the next snapshot) removes. The published snapshot is byte for byte what a
/// one-call create at the moment of the capture would have made. Not thread-safe: complete or
/// dispose it from one thread. Complete starts no thread and does no asynchronous I/O; where it
/// runs is the caller's choice.
/// </remarks>
public sealed class SnapshotCapture : IDisposable
{
    private readonly AlignedBufferPool _buffers;
    private CapturedSnapshot? _captured;
    private SnapshotResult? _result;

    internal SnapshotCapture(CapturedSnapshot captured, AlignedBufferPool buffers)
    {
        _captured = captured;
        _buffers = buffers;
        Id = captured.Id;
        Pause = captured.Pause;
        StorageCopy = captured.StorageCopy;
        StagingDirectory = captured.StagingDirectory;
    }

    /// <summary>The snapshot's id: the capture's instant.</summary>
    public SnapshotId Id { get; }

    /// <summary>How long the capture ran under the caller's lock: the write pause.</summary>
    public TimeSpan Pause { get; }

    /// <summary>How the storage file was captured: cloned (the pause does not grow with its size) or copied.</summary>
    public StorageCopyMethod StorageCopy { get; }

    /// <summary>The staging directory holding the capture until it is published.</summary>
    public string StagingDirectory { get; }

    /// <summary>True once <see cref="Complete"/> published the snapshot.</summary>
    public bool IsCompleted => _result is not null;

    /// <summary>
    /// Publishes the captured snapshot: the clone's checksum, the syncs, the manifest, the no-replace
    /// rename and the parents' syncs. Call it after releasing the lock; it may take as long as the
    /// disk needs. A second call returns the first result.
    /// </summary>
    /// <exception cref="SnapshotException">The completion failed; nothing is visible and the staging directory is removed.</exception>
    /// <param name="cancellationToken">Stops the completion between buffers (the capture's own token, if it had one, still counts); nothing becomes visible and the staging directory is removed.</param>
    /// <exception cref="ObjectDisposedException">The capture was disposed, or a failed completion already removed it.</exception>
    public SnapshotResult Complete(CancellationToken cancellationToken = default)
    {
        if (_result is not null)
        {
            return _result;
        }

        CapturedSnapshot captured = _captured ?? throw new ObjectDisposedException(nameof(SnapshotCapture), "The capture was disposed or its completion failed; it cannot be published.");
        _captured = null;
        CancellationToken captureToken = captured.Options.CancellationToken;
        using CancellationTokenSource? both = cancellationToken.CanBeCanceled && captureToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(captureToken, cancellationToken)
            : null;
        if (cancellationToken.CanBeCanceled)
        {
            captured.Options = captured.Options with { CancellationToken = both?.Token ?? cancellationToken };
        }

        _result = new SnapshotCompletionAttempt(captured, _buffers).Run();
        return _result;
    }

    /// <summary>Removes the staging directory of a capture that was not completed (best effort: what remains is a leftover clean removes).</summary>
    public void Dispose()
    {
        if (_captured is not { } captured)
        {
            return;
        }

        _captured = null;
        captured.Dispose();
        _ = captured.Removal.Run(captured.Options.Logger);
    }
}
