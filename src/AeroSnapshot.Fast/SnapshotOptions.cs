using AeroSnapshot.Fast.Verification;
using Microsoft.Extensions.Logging;

namespace AeroSnapshot.Fast;

/// <summary>Options for taking and reading snapshots.</summary>
public sealed record SnapshotOptions
{
    /// <summary>The defaults.</summary>
    public static SnapshotOptions Default { get; } = new();

    /// <summary>The options one call runs with: <paramref name="options"/> (or the defaults) and the call's token.</summary>
    internal static SnapshotOptions ForCall(SnapshotOptions? options, CancellationToken cancellationToken)
    {
        options ??= Default;
        return cancellationToken.CanBeCanceled ? options with { CancellationToken = cancellationToken } : options;
    }

    /// <summary>
    /// The clock. The snapshot id and <c>created_at</c> come from one reading of it.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Told as bytes are copied or read, on the calling thread, synchronously. Keep it cheap: it
    /// runs inside the write pause. (<see cref="Progress{T}"/> posts each report to the thread pool
    /// or the synchronization context; an implementation that reports inline keeps the order.)
    /// </summary>
    public IProgress<SnapshotProgress>? Progress { get; init; }

    /// <summary>
    /// The operation's cancellation token: each long operation takes it as its last parameter and
    /// stops between buffers; a partial snapshot is removed first.
    /// </summary>
    internal CancellationToken CancellationToken { get; init; }

    /// <summary>Where skipped snapshots and clean-up problems are logged.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// Writeback window for the storage copy, in bytes: each window's writeback is started as soon
    /// as it is written and waited for one window later. 0 turns it off (one fdatasync at the end).
    /// </summary>
    public long WritebackWindowBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Size of the copy buffer in bytes (a multiple of 4096; 1 MiB by default). Buffers are pooled
    /// by the <see cref="SnapshotManager"/> and reused across snapshots.
    /// </summary>
    public int BufferSize { get; init; } = 1024 * 1024;

    /// <summary>
    /// Clone the storage file with <c>ioctl(FICLONE)</c> where the file system supports it (XFS with
    /// reflink, btrfs), then checksum the clone; falls back to the streaming copy elsewhere.
    /// </summary>
    public bool UseReflink { get; init; } = true;

    /// <summary>Reserve the storage copy's full size with <c>fallocate</c> before copying, so ENOSPC comes first.</summary>
    public bool Preallocate { get; init; } = true;

    /// <summary>
    /// Strict verification: any entry of a snapshot that its manifest does not list is corruption
    /// (<see cref="VerificationProblemKind.ExtraFile"/>). By default, a snapshot whose manifest lists
    /// top-level schema files only, as the Rust reference writes it, may hold unlisted files in
    /// subdirectories of <c>schemas/</c>; they are reported as <see cref="VerificationProblemKind.Unlisted"/>
    /// findings and the snapshot stays valid. A manifest that lists any nested file (this library's)
    /// is held to its whole tree either way. Applies to verify, discovery, list, prune and restore.
    /// </summary>
    public bool Strict { get; init; }

    /// <summary>
    /// Where <see cref="SnapshotManager.Restore"/> and <see cref="SnapshotManager.RestoreBackup"/> put
    /// the storage file: null (the default) for where the data directory being replaced keeps it
    /// (<see cref="DataDirectoryLayout.Detect"/>: <c>data/storage.dat</c> in a directory AeroDB
    /// restored or initialized, <c>storage.dat</c> at the top otherwise, and for a new or empty
    /// directory), or the place given.
    /// </summary>
    public StorageFileLocation? StorageLocation { get; init; }

    /// <summary>Verification stops at the first problem instead of listing them all.</summary>
    public bool StopAtFirstProblem { get; init; }

    /// <summary>
    /// A pre-copy made by <see cref="SnapshotManager.PrecopySnapshot"/> for this snapshot: inside the
    /// pause only what changed since is copied. It is consumed by the first snapshot given it; an
    /// unusable one (stale, foreign, or a storage file no longer append-only) makes the snapshot copy
    /// everything, as without it. Null (the default): no pre-copy.
    /// </summary>
    public Precopy.SnapshotPrecopy? Precopy { get; init; }

    /// <summary>
    /// Test hook: called before each step of creation, prune and restore (and before each file
    /// verification reads, as <see cref="SnapshotStep.Read"/>); an exception from it is handled like
    /// a real fault at that point. A <see cref="SimulatedCrashException"/> is not handled at all:
    /// the operation stops dead, leaving what a crash there would leave.
    /// </summary>
    internal Action<SnapshotStep>? BeforeStep { get; init; }

    /// <summary>
    /// Benchmark switch: sync copied files with fsync instead of fdatasync. fdatasync is enough for
    /// a new file's data and size (the mode is fixed at creation), and is the default.
    /// </summary>
    internal bool SyncFilesWithFsync { get; init; }

    /// <summary>Benchmark switch: how the storage copy is written (buffered with the window, O_DIRECT, RWF_DONTCACHE).</summary>
    internal Copying.DestinationWriteMode StorageWriteMode { get; init; }

    /// <summary>
    /// Benchmark switch: read every schema source ahead (POSIX_FADV_WILLNEED) before copying. On by
    /// default: for 2,000 files it took 0.56x (journaled ext4) and 0.65x (root ext4) the time
    /// without it, and never lost beyond the noise, for one more open per file inside the pause
    /// (docs/PERFORMANCE.md).
    /// </summary>
    internal bool PrefetchSchemas { get; init; } = true;

    /// <summary>
    /// Test switch: bytes of the storage prefix covered by one strong hash in a pre-copy (8 MiB by
    /// default); smaller in tests so that small files span many chunks.
    /// </summary>
    internal int PrecopyChunkBytes { get; init; } = AeroSnapshot.Fast.Precopy.PrecopyWriter.DefaultChunkBytes;

    /// <summary>
    /// Test switch: the pre-copy maps the storage prefix so the pause re-hashes it in place (on by
    /// default); off, the pause re-reads it through the copy loop, as where the mapping fails.
    /// </summary>
    internal bool PrecopyMapsPrefix { get; init; } = true;

    /// <summary>Benchmark switch: how schema files are made durable.</summary>
    internal Creation.SchemaSyncMode SchemaSync { get; init; }
}
