using AeroSnapshot.Fast.Diagnostics;
using System.Diagnostics;
using System.Security.Cryptography;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Layout;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Precopy;

/// <summary>
/// The pre-copy, run before the pause while the database still writes, in the same attempt frame
/// and with the same two copies as a snapshot: the ordinary preparation, then the storage file's
/// current prefix (with a strong hash per <see cref="SnapshotOptions.PrecopyChunkBytes"/>) and the
/// schema tree (with a strong hash per file) copied into <c>snapshots/.precopy-&lt;random&gt;</c>,
/// synced as the options say, and their pages dropped. Anything it copies that the database changes
/// meanwhile is caught by the pause's re-hash; nothing here has to be point-in-time.
/// </summary>
/// <remarks>
/// The prefix is hashed in fixed chunks (8 MiB by default, 128 hashes for 1 GiB) rather than as one
/// hash: the check inside the pause can stop at the first chunk that differs (a fallback then costs
/// a plain create plus the re-hash up to that chunk), and the warning can name the region that was
/// overwritten in place.
/// </remarks>
internal sealed class PrecopyWriter : OperationAttempt<SnapshotPrecopy>
{
    /// <summary>Bytes of storage prefix covered by one strong hash: 128 hashes (2 KiB) for 1 GiB.</summary>
    public const int DefaultChunkBytes = 8 << 20;

    private readonly string _dataDirectory;
    private readonly string _storagePath;
    private readonly string _schemaDirectory;
    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private readonly FileCopier _copier = new();
    private string? _staging;
    private SafeFileHandle? _staged;
    private MappedFile? _mapping;

    public PrecopyWriter(string dataDirectory, string storagePath, string schemaDirectory, SnapshotOptions options, AlignedBufferPool buffers)
        : base(options, recorder: null, SnapshotStep.Prepare, OperationTelemetry.Precopy)
    {
        _dataDirectory = dataDirectory;
        _storagePath = storagePath;
        _schemaDirectory = schemaDirectory;
        _options = options;
        _buffers = buffers;
    }

    protected override string Describe(SnapshotStep step) => $"Pre-copy step {step}";

    protected override string Component => "snapshot";

    protected override SnapshotPrecopy RunSteps()
    {
        long start = Stopwatch.GetTimestamp();
        Steps.Enter(SnapshotStep.Prepare);
        SnapshotPreparation preparation = SnapshotPreparer.Prepare(_dataDirectory, _storagePath, warmSource: false, _buffers);
        FileIdentity dataIdentity = FileIdentity.Of(_dataDirectory) ?? throw Errors.For("statx", _dataDirectory, Errno.ENOENT);
        string snapshots = Path.Join(_dataDirectory, SnapshotLayout.SnapshotsDirectoryName);
        if (NativeFile.TryStatus(snapshots) is not { Kind: FileKind.Directory })
        {
            // As CreateSnapshot: snapshots are only ever written into a real directory; a link there is not followed.
            throw new HostileTreeException(snapshots, $"'{SnapshotLayout.SnapshotsDirectoryName}' is {FileStatus.Describe(NativeFile.TryStatus(snapshots)?.Kind ?? FileKind.Unknown)}, not a directory; nothing was written");
        }

        string staging = Path.Join(snapshots, StagingArea.PrecopyPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        NativeFile.MakeDirectory(staging, FileModes.Directory);
        _staging = staging;
        FileIdentity stagingIdentity = FileIdentity.Of(staging) ?? throw Errors.For("statx", staging, Errno.ENOENT);
        using AlignedBufferPool.Lease buffer = _buffers.Rent();

        Steps.Enter(SnapshotStep.CopyStorage);
        using SafeFileHandle source = NativeFile.OpenRegularForRead(_storagePath, out FileStatus sourceStatus);
        FileIdentity storageIdentity = FileIdentity.Of(source, _storagePath);
        string stagedPath = Path.Join(staging, SnapshotLayout.StorageFileName);
        _staged = NativeFile.CreateNew(stagedPath, FileModes.ReadOnlyFile);
        var crc = new StreamingCrc32();
        var chunks = ChunkHashes.Record(_options.PrecopyChunkBytes);
        CopiedFile prefix = _copier.Copy(new CopyJob
        {
            Source = source,
            SourcePath = _storagePath,
            Length = sourceStatus.Size,
            Crc = crc,
            ChunkHashes = chunks,
            Destination = _staged,
            DestinationPath = stagedPath,
            Buffer = buffer.Span,
            WritebackWindowBytes = _options.WritebackWindowBytes,
            Cancellation = _options.CancellationToken,
        });

        Steps.Enter(SnapshotStep.SyncStorage);
        NativeFile.Sync(_staged, stagedPath, dataOnly: !_options.SyncFilesWithFsync);
        // The window leaves the last partial window's pages; drop them all so nothing of the
        // copy stays in the page cache where the database's working set lives.
        NativeFile.DropCachedPages(_staged);

        // Built now, outside the pause: 1 GiB of page tables took 85–145 ms here, hashing the mapped
        // prefix 45 ms (docs/PERFORMANCE.md). Without a mapping the pause re-reads the prefix instead.
        _mapping = _options.PrecopyMapsPrefix ? TryMapPrefix(source, prefix.Length) : null;

        SchemaTree tree = SchemaTree.Scan(_schemaDirectory);
        var schemaCopy = new SchemaCopy(SchemaCopyPolicy.ForPrecopy(_options), _options, _copier, Steps, _schemaDirectory);
        schemaCopy.Copy(tree, Path.Join(staging, SnapshotLayout.SchemasDirectoryName), buffer.Span, ProgressReporter.None);

        Steps.Enter(SnapshotStep.SyncStaging);
        NativeFile.SyncDirectory(staging);

        var precopy = new SnapshotPrecopy(
            preparation, _dataDirectory, dataIdentity, Path.GetFullPath(_schemaDirectory), staging, stagingIdentity, storageIdentity, _staged,
            prefix.Length, crc, chunks.ChunkBytes, chunks.Hashes, tree.Directories, schemaCopy.Recorded, _mapping, Stopwatch.GetElapsedTime(start));
        _staged = null;
        _mapping = null;
        _staging = null;
        return precopy;
    }

    private MappedFile? TryMapPrefix(SafeFileHandle source, long length)
    {
        try
        {
            return MappedFile.Map(source, _storagePath, length, populate: true);
        }
        catch (NativeIOException ex)
        {
            _options.Logger?.LogPrefixNotMapped(_storagePath, ex.Message);
            return null;
        }
    }

    /// <summary>Removes the half-made pre-copy; what cannot be removed stays a leftover by its name, for the next preparation, snapshot or clean.</summary>
    protected override Exception? CleanUp()
    {
        _staged?.Dispose();
        _staged = null;
        _mapping?.Dispose();
        _mapping = null;
        if (_staging is not { } staging)
        {
            return null;
        }

        try
        {
            DirectoryTree.Delete(staging);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex;
        }
    }
}
