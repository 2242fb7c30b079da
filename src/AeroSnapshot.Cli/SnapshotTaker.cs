using System.Diagnostics;
using AeroSnapshot.Cli.Interop;
using AeroSnapshot.Fast;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Cli;

/// <summary>What one <c>create</c> did.</summary>
/// <param name="Id">The new snapshot's id.</param>
/// <param name="Directory">Its directory.</param>
/// <param name="Bytes">Bytes in the snapshot (storage, schemas and manifest); null when they could not be read back.</param>
/// <param name="Files">Files in the snapshot; null when they could not be read back.</param>
/// <param name="Pause">How long the global execution lock was held: the writes-paused time.</param>
/// <param name="WalSynced">The WAL path that was fsynced first, or null when there was none.</param>
/// <param name="SizeError">Why the size could not be read back, when it could not; the snapshot is taken all the same.</param>
internal sealed record CreatedSnapshot(SnapshotId Id, string Directory, long? Bytes, int? Files, TimeSpan Pause, string? WalSynced, string? SizeError = null);

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
                LibC.ENOENT);
        }

        using SafeFileHandle? walHandle = walPath is null ? null : NativeHandles.OpenReadOnly(walPath, SnapshotStep.SyncWal);
        IWalDurability wal = walHandle is null ? WalDurability.None : WalDurability.ForHandle(walHandle, walPath!);

        var executionLock = new GlobalExecutionLock();
        SnapshotId id;
        TimeSpan pause;
        using (executionLock.Acquire())
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                id = manager.CreateSnapshot(paths.DataDirectory, paths.Storage, paths.Schemas, wal, executionLock, options);
            }
            finally
            {
                pause = Stopwatch.GetElapsedTime(start);
            }
        }

        // The snapshot is published and durable: nothing from here on may turn that into a failure. A
        // script seeing exit 3 would believe no snapshot was taken and take another. The size is read
        // back for the report only; if that fails, the report says the size is unknown, and why.
        string directory = Path.Join(paths.DataDirectory, SnapshotLayout.SnapshotsDirectoryName, id.ToString());
        try
        {
            (long bytes, int files) = Measure(directory);
            return new CreatedSnapshot(id, directory, bytes, files, pause, walPath);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return new CreatedSnapshot(id, directory, null, null, pause, walPath, $"{directory}: {error.Message}");
        }
    }

    /// <summary>Total size and count of the regular files under <paramref name="directory"/>; throws rather than skip what it cannot read.</summary>
    public static (long Bytes, int Files) Measure(string directory)
    {
        long bytes = 0;
        int files = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false };
        foreach (FileInfo file in new DirectoryInfo(directory).EnumerateFiles("*", options))
        {
            bytes += file.Length;
            files++;
        }

        return (bytes, files);
    }
}
