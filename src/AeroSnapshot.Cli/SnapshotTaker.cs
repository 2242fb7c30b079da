using System.Diagnostics;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Precopy;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Cli;

/// <summary>What one <c>create</c> did.</summary>
/// <param name="Result">The library's account of the snapshot: id, directory, bytes, files, storage copy, steps.</param>
/// <param name="Pause">How long the capture held the global execution lock: the writes-paused time.</param>
/// <param name="WalSynced">The WAL path that was fsynced first, or null when there was none.</param>
internal sealed record CreatedSnapshot(SnapshotResult Result, TimeSpan Pause, string? WalSynced)
{
    /// <summary>From the capture to the published, durable snapshot.</summary>
    public TimeSpan Total { get; init; }

    /// <summary>What <c>--precopy</c> copied before the pause; null without it.</summary>
    public PrecopyTaken? Precopy { get; init; }

    public SnapshotId Id => Result.Id;

    public string Directory => Result.Directory;

    public long Bytes => Result.Bytes;

    public int Files => Result.Files;
}

/// <summary>
/// Takes a snapshot the way AeroDB does, from outside the database: the data directory's LOCK
/// (so no database or other aerosnap works there meanwhile), a global execution lock held for
/// exactly the snapshot, the WAL fsynced through a handle of our own.
/// </summary>
internal static class SnapshotTaker
{
    /// <param name="manager">The manager.</param>
    /// <param name="paths">The data directory's paths.</param>
    /// <param name="options">Library options.</param>
    /// <param name="precopy">
    /// Pre-copy the storage file and schemas before taking the execution lock, so the pause copies
    /// only what changed since (with the LOCK held nothing changes here: the pause then re-hashes
    /// and appends nothing; a database doing the same keeps writing between the two).
    /// </param>
    /// <param name="afterPrecopy">Run between the pre-copy and the pause (the demo appends to the storage file there, as a database would).</param>
    /// <param name="lockThroughout">Hold the execution lock for the whole create (the one-call CreateSnapshot) instead of only the capture.</param>
    /// <param name="lockWait">How long to wait for the data directory's LOCK (<c>--lock-wait</c>).</param>
    public static CreatedSnapshot Take(SnapshotManager manager, DataPaths paths, SnapshotOptions options, bool precopy = false, Action? afterPrecopy = null, bool lockThroughout = false, LockWait lockWait = default)
        => DataDirectoryLocking.WhileLocked(paths.DataDirectory, lockWait, () =>
        {
            if (!precopy)
            {
                return TakeLocked(manager, paths, options, lockThroughout);
            }

            long start = Stopwatch.GetTimestamp();
            using SnapshotPrecopy copy = manager.PrecopySnapshot(paths.DataDirectory, paths.Storage, paths.Schemas, options);
            var taken = PrecopyTaken.Of(copy, Stopwatch.GetElapsedTime(start));
            afterPrecopy?.Invoke();
            return TakeLocked(manager, paths, PrecopyTaken.WithPrecopy(options, copy), lockThroughout) with { Precopy = taken };
        });

    private static CreatedSnapshot TakeLocked(SnapshotManager manager, DataPaths paths, SnapshotOptions options, bool lockThroughout)
    {
        string? walPath = FindWal(paths);
        using SafeFileHandle? walHandle = walPath is null ? null : OpenWal(walPath);
        IWalDurability wal = walHandle is null ? WalDurability.None : WalDurability.ForHandle(walHandle, walPath!);

        // Capture under the lock, as a database would; the lock is released before the completion,
        // which only reads and syncs the snapshot's own files. The pause is the capture's.
        var executionLock = new GlobalExecutionLock();
        long start = Stopwatch.GetTimestamp();
        if (lockThroughout)
        {
            SnapshotResult whole;
            using (executionLock.Acquire())
            {
                whole = manager.CreateSnapshot(paths.DataDirectory, paths.Storage, paths.Schemas, wal, executionLock, options);
            }

            TimeSpan held = Stopwatch.GetElapsedTime(start);
            return new CreatedSnapshot(whole, held, walPath) { Total = held };
        }

        using SnapshotCapture capture = Capture(manager, paths, wal, executionLock, options);
        SnapshotResult result = capture.Complete();
        TimeSpan total = Stopwatch.GetElapsedTime(start);

        // The library measured what it wrote while it wrote it: nothing is read back, so once the
        // snapshot is published and durable nothing here can turn it into a failure.
        return new CreatedSnapshot(result, capture.Pause, walPath) { Total = total };
    }

    private static SnapshotCapture Capture(SnapshotManager manager, DataPaths paths, IWalDurability wal, GlobalExecutionLock executionLock, SnapshotOptions options)
    {
        using (executionLock.Acquire())
        {
            return manager.CaptureSnapshot(paths.DataDirectory, paths.Storage, paths.Schemas, wal, executionLock, options);
        }
    }

    /// <summary>
    /// The WAL to fsync, or null when there is none: the default <c>wal/wal.log</c> may be absent
    /// (nothing to make durable), but an explicit <c>--wal</c> that is not there is most likely a
    /// typo, and taking the snapshot without making the real WAL durable would break the sequence
    /// silently. Anything at the path but a regular file is refused, saying what it is: a directory
    /// is not "no WAL" (it was once taken for one, and the WAL's fsync skipped), a FIFO or a link is
    /// not a WAL either.
    /// </summary>
    private static string? FindWal(DataPaths paths)
    {
        FileStatus? status;
        try
        {
            status = NativeFile.TryStatus(paths.Wal);
        }
        catch (NativeIOException error)
        {
            throw SnapshotException.FromNative(error, SnapshotStep.SyncWal);
        }

        string given = paths.WalGiven ? " given with --wal" : string.Empty;
        if (status is not { } wal)
        {
            return paths.WalGiven
                ? throw new SnapshotException(SnapshotErrorCode.Failed, $"The WAL '{paths.Wal}'{given} does not exist.", SnapshotStep.SyncWal, paths.Wal, Errno.ENOENT)
                : null;
        }

        if (wal.Kind != FileKind.Regular)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The WAL '{paths.Wal}'{given} is {FileStatus.Describe(wal.Kind)}, not a WAL file{(wal.Kind == FileKind.SymbolicLink ? " (a link is never followed)" : string.Empty)}; no snapshot was taken.",
                SnapshotStep.SyncWal,
                paths.Wal,
                wal.Kind == FileKind.Directory ? Errno.EISDIR : Errno.EINVAL);
        }

        return paths.Wal;
    }

    /// <summary>
    /// Opens the WAL read-only for its fsync: with <c>open(2)</c>, not <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/>,
    /// which would take an advisory <c>flock</c> to emulate <c>FileShare</c> and fail while the
    /// database holds its WAL; never through a symbolic link, never blocking on a FIFO.
    /// </summary>
    private static SafeFileHandle OpenWal(string path)
    {
        try
        {
            return NativeFile.OpenForSync(path, directory: false);
        }
        catch (NativeIOException error)
        {
            throw SnapshotException.FromNative(error, SnapshotStep.SyncWal);
        }
    }
}
