namespace AeroSnapshot.Fast.Creation;

/// <summary>How the storage file reached the snapshot.</summary>
public enum StorageCopyMethod
{
    /// <summary>Read and written through the pooled buffers, CRC-32 computed on the way.</summary>
    Streamed,

    /// <summary>Cloned with <c>ioctl(FICLONE)</c> (XFS with reflink, btrfs), then read once for its CRC-32.</summary>
    Reflinked,
}

/// <summary>
/// What <see cref="SnapshotManager.CreateSnapshot(string, string, string, IWalDurability, IExecutionLock, SnapshotOptions?, CancellationToken)"/>
/// made: the published snapshot and what it cost, measured while it was taken, so no caller has to
/// read the snapshot back to report on it.
/// </summary>
public sealed class SnapshotResult
{
    internal SnapshotResult(SnapshotId id, string directory, long bytes, int files, StorageCopyMethod storageCopy, TimeSpan duration, TimeSpan pause, IReadOnlyList<StepTiming> steps)
    {
        Id = id;
        Directory = directory;
        Bytes = bytes;
        Files = files;
        StorageCopy = storageCopy;
        Duration = duration;
        Pause = pause;
        Steps = steps;
    }

    /// <summary>The snapshot's id.</summary>
    public SnapshotId Id { get; }

    /// <summary>The published snapshot directory (<c>&lt;data&gt;/snapshots/&lt;id&gt;</c>).</summary>
    public string Directory { get; }

    /// <summary>Bytes written into it: storage, schema files and the manifest.</summary>
    public long Bytes { get; }

    /// <summary>Files written into it: <c>storage.dat</c>, every schema file and <c>manifest.json</c>.</summary>
    public int Files { get; }

    /// <summary>How <c>storage.dat</c> was copied.</summary>
    public StorageCopyMethod StorageCopy { get; }

    /// <summary>The whole call, from entry to return.</summary>
    public TimeSpan Duration { get; }

    /// <summary>
    /// The time the call ran with the global execution lock checked held: from the first step
    /// (<see cref="SnapshotStep.CheckLock"/>) to the return. This is the write pause the snapshot
    /// itself caused; the caller's own work under the lock is not in it.
    /// </summary>
    public TimeSpan Pause { get; }

    /// <summary>Each step's time, in the order taken.</summary>
    public IReadOnlyList<StepTiming> Steps { get; }

    /// <summary>How the snapshot used <see cref="SnapshotOptions.Precopy"/>; null when it was given none.</summary>
    public Precopy.PrecopyReport? Precopy { get; internal init; }

    /// <summary>The snapshot and its cost, for a log line: id, directory, size, files, copy method, duration and pause.</summary>
    public override string ToString()
        => string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"snapshot {Id} at {Directory}: {Bytes} bytes in {Files} files, storage {StorageCopy.ToString().ToLowerInvariant()}, {Duration.TotalMilliseconds:0.#} ms, pause {Pause.TotalMilliseconds:0.#} ms");
}
