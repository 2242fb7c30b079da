using System.Diagnostics;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Creation;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Cli;

/// <summary>What one <c>create</c> did.</summary>
/// <param name="Result">The library's account of the snapshot: id, directory, bytes, files, storage copy, steps.</param>
/// <param name="Pause">How long the global execution lock was held, measured by its holder: the writes-paused time.</param>
/// <param name="WalSynced">The WAL path that was fsynced first, or null when there was none.</param>
internal sealed record CreatedSnapshot(SnapshotResult Result, TimeSpan Pause, string? WalSynced)
{
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
    public static CreatedSnapshot Take(SnapshotManager manager, DataPaths paths, SnapshotOptions options)
        => DataDirectoryLocking.WhileLocked(paths.DataDirectory, () => TakeLocked(manager, paths, options));

    private static CreatedSnapshot TakeLocked(SnapshotManager manager, DataPaths paths, SnapshotOptions options)
    {
        string? walPath = null;
        if (File.Exists(paths.Wal))
        {
            walPath = paths.Wal;
        }
        else if (paths.WalGiven)
        {
            // An explicit --wal that is not there is most likely a typo: taking the snapshot
            // without making the real WAL durable would break the sequence silently.
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The WAL '{paths.Wal}' given with --wal does not exist.",
                SnapshotStep.SyncWal,
                paths.Wal,
                Errno.ENOENT);
        }

        using SafeFileHandle? walHandle = walPath is null ? null : OpenWal(walPath);
        IWalDurability wal = walHandle is null ? WalDurability.None : WalDurability.ForHandle(walHandle, walPath!);

        var executionLock = new GlobalExecutionLock();
        SnapshotResult result;
        TimeSpan pause;
        using (executionLock.Acquire())
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                result = manager.CreateSnapshot(paths.DataDirectory, paths.Storage, paths.Schemas, wal, executionLock, options);
            }
            finally
            {
                pause = Stopwatch.GetElapsedTime(start);
            }
        }

        // The library measured what it wrote while it wrote it: nothing is read back, so once the
        // snapshot is published and durable nothing here can turn it into a failure.
        return new CreatedSnapshot(result, pause, walPath);
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
