using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.ManifestFormat;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Checkpoint;

/// <summary>
/// Finishes or undoes a checkpoint that was interrupted, from what is on disk. The states, in the
/// order a checkpoint passes through them (I = <c>.checkpoint-intent</c>, M = <c>checkpoint.json</c>
/// naming the intent's snapshot, R = the intent's WAL length):
/// <list type="number">
/// <item>Before the snapshot is published: only a staging directory, which the snapshot clean-up
/// removes. Nothing else happened.</item>
/// <item>Snapshot published, no I: the checkpoint never started its own steps; the snapshot is an
/// ordinary valid snapshot. Nothing to do.</item>
/// <item>I present, M absent (or naming another snapshot): undo. The WAL was never touched; I is
/// removed. A <c>.tmp</c> file of either is a write that never got renamed and is removed.</item>
/// <item>I and M present, WAL length R: the reset had not happened (truncation is atomic, so the WAL
/// has its old length or none): finish it (ftruncate, fsync, fsync <c>wal/</c>), then remove I.</item>
/// <item>I present, WAL length 0: the reset happened; remove I.</item>
/// <item>I present, WAL of another length: the WAL was written after the crash, so it is not the WAL
/// the checkpoint meant to reset; it is left alone, I is removed, and this is reported.</item>
/// </list>
/// Every action is idempotent, so recovery may itself be interrupted and run again. It assumes, as
/// the restore recovery does, that nothing writes to the data directory while it runs.
/// </summary>
internal static class CheckpointRecovery
{
    /// <summary>Finishes or undoes an interrupted checkpoint of <paramref name="dataDirectory"/>; returns what it did.</summary>
    /// <summary>Finishes or undoes an interrupted checkpoint; with <paramref name="preview"/>, says what it would do and changes nothing.</summary>
    public static List<string> Recover(string dataDirectory, bool preview = false)
    {
        var handled = new List<string>();
        if (NativeFile.TryStatus(dataDirectory) is not { Kind: FileKind.Directory })
        {
            return handled;
        }

        bool removedTemporary = false;
        foreach (string name in new[] { CheckpointIntent.FileName, CheckpointMarker.FileName })
        {
            string temporary = Path.Join(dataDirectory, name + DurableFile.TemporarySuffix);
            if (preview ? NativeFile.TryStatus(temporary) is not null : DurableFile.RemoveIfPresent(temporary))
            {
                handled.Add(name + DurableFile.TemporarySuffix);
                removedTemporary = true;
            }
        }

        string intentPath = CheckpointIntent.PathIn(dataDirectory);
        CheckpointIntent? intent = CheckpointIntent.TryRead(dataDirectory);
        if (intent is null)
        {
            if (NativeFile.TryStatus(intentPath) is not null)
            {
                throw new NativeIOException("read", intentPath, Errno.EINVAL, "it is not a checkpoint intent this version wrote; look at it and remove it by hand");
            }

            if (removedTemporary && !preview)
            {
                NativeFile.SyncDirectory(dataDirectory);
            }

            return handled;
        }

        bool markerNamesIt = MarkerSnapshot(dataDirectory) == intent.SnapshotId;
        FileStatus? wal = NativeFile.TryStatus(intent.WalPath);
        if (!markerNamesIt)
        {
            handled.Add($"{CheckpointIntent.FileName} (checkpoint from {intent.SnapshotId} undone before checkpoint.json: the WAL was never touched)");
        }
        else if (wal is not { Kind: FileKind.Regular })
        {
            handled.Add($"{CheckpointIntent.FileName} (checkpoint from {intent.SnapshotId}: the WAL '{intent.WalPath}' is gone; nothing to reset)");
        }
        else if (wal.Value.Size == 0)
        {
            handled.Add($"{CheckpointIntent.FileName} (checkpoint from {intent.SnapshotId} finished: the WAL had been reset)");
        }
        else if (wal.Value.Size == intent.WalLength && preview)
        {
            handled.Add($"{CheckpointIntent.FileName} (checkpoint from {intent.SnapshotId} finished: the WAL '{intent.WalPath}' is reset to empty)");
        }
        else if (wal.Value.Size == intent.WalLength)
        {
            using (SafeFileHandle handle = WalReset.Open(intent.WalPath, out _))
            {
                WalReset.Truncate(handle, intent.WalPath);
                WalReset.Sync(handle, intent.WalPath);
            }

            handled.Add($"{CheckpointIntent.FileName} (checkpoint from {intent.SnapshotId} finished: the WAL was reset)");
        }
        else
        {
            handled.Add($"{CheckpointIntent.FileName} (checkpoint from {intent.SnapshotId} dropped: the WAL is {wal.Value.Size} bytes, not the {intent.WalLength} it had, so it was written since and is left alone)");
        }

        if (!preview)
        {
            RemoveIntent(dataDirectory);
        }

        return handled;
    }

    /// <summary>Removes the intent and makes that durable (the checkpoint's last step).</summary>
    public static void RemoveIntent(string dataDirectory)
    {
        _ = DurableFile.RemoveIfPresent(CheckpointIntent.PathIn(dataDirectory));
        NativeFile.SyncDirectory(dataDirectory);
    }

    /// <summary>Takes back a checkpoint that failed before its WAL was touched: its marker (if it names the intent's snapshot) and its intent.</summary>
    public static void Undo(string dataDirectory)
    {
        if (CheckpointIntent.TryRead(dataDirectory) is { } intent && MarkerSnapshot(dataDirectory) == intent.SnapshotId)
        {
            _ = DurableFile.RemoveIfPresent(Path.Join(dataDirectory, CheckpointMarker.FileName));
        }

        _ = DurableFile.RemoveIfPresent(Path.Join(dataDirectory, CheckpointMarker.FileName + DurableFile.TemporarySuffix));
        RemoveIntent(dataDirectory);
    }

    private static SnapshotId? MarkerSnapshot(string dataDirectory)
    {
        byte[]? bytes = DurableFile.TryReadSmall(Path.Join(dataDirectory, CheckpointMarker.FileName), 64 * 1024);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return CheckpointMarker.ReadUtf8(bytes).SnapshotId;
        }
        catch (ManifestFormatException)
        {
            return null;
        }
    }
}
