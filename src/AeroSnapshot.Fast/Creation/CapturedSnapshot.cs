using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Precopy;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// What the capture of a snapshot left for its completion: the staging directory with the storage
/// copy (or clone) and the schema tree in it, the checksums computed while copying, and what is
/// still to do (the clone's checksum, the deferred syncs). Owned by the caller between the two:
/// <see cref="SnapshotCapture"/>, or the one-call create.
/// </summary>
internal sealed class CapturedSnapshot : IDisposable
{
    public required SnapshotId Id { get; init; }

    public required SnapshotOptions Options { get; set; }   // set: the completion may bring its own cancellation token

    public required StepRecorder Recorder { get; init; }

    public required string DataDirectory { get; init; }

    public required string SnapshotsDirectory { get; init; }

    public required string StagingDirectory { get; init; }

    /// <summary>What the capture made (the staging directory, a <c>snapshots/</c> it created): the completion adds its publication, and a failure or an abandoned capture removes it all.</summary>
    public required StagedSnapshotRemoval Removal { get; init; }

    public string FinalDirectory => Path.Join(SnapshotsDirectory, Id.ToString());

    public string StagedStoragePath => Path.Join(StagingDirectory, SnapshotLayout.StorageFileName);

    public string StagedSchemasPath => Path.Join(StagingDirectory, SnapshotLayout.SchemasDirectoryName);

    /// <summary>The staged storage file, still open when its sync was deferred to the completion.</summary>
    public SafeFileHandle? StagedStorage { get; set; }

    /// <summary>The copy's writeback window, for dropping its last pages after the deferred sync.</summary>
    public WritebackWindow Writeback { get; init; }

    /// <summary>The storage CRC-32 computed while copying; null for a clone whose read is deferred to the completion.</summary>
    public Crc32Checksum? StorageChecksum { get; init; }

    public required long StorageBytes { get; init; }

    public required StorageCopyMethod StorageCopy { get; init; }

    public required ChecksumMap SchemaChecksums { get; init; }

    public required SchemaTree Schemas { get; init; }

    /// <summary>The schema copy, whose syncs the completion runs when they were deferred.</summary>
    public required SchemaCopy SchemaCopy { get; init; }

    /// <summary>True when the storage and schema syncs are the completion's (a capture); false when the copies made them (the one-call create).</summary>
    public required bool SyncsDeferred { get; init; }

    public required long PauseStart { get; init; }

    /// <summary>Time from the lock check to the end of the capture.</summary>
    public required TimeSpan Pause { get; init; }

    public PrecopyReport? Precopy { get; init; }

    /// <summary>Closes the staged storage file if the completion did not.</summary>
    public void Dispose()
    {
        StagedStorage?.Dispose();
        StagedStorage = null;
    }
}
