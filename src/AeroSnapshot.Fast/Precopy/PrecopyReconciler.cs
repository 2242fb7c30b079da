using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Precopy;

/// <summary>
/// The pre-copy's part of the pause, called by the snapshot's own steps: take the staging
/// directory over, check the storage prefix and complete it with the tail, and bring the staged
/// schema tree to the source's. Whenever the pre-copy cannot be trusted it says so and the
/// snapshot's ordinary copy runs instead: never wrong, only slower.
/// </summary>
internal sealed class PrecopyReconciler
{
    private const uint ReadOnlyFileMode = 0b100_100_100;   // 0444
    private const uint DirectoryMode = 0b111_101_101;      // 0755
    private const int SchemaSyncBatch = 128;

    private readonly SnapshotPrecopy _precopy;
    private readonly SnapshotOptions _options;
    private readonly PrecopyCopier _copier;
    private SafeFileHandle? _stagedStorage;
    private PrecopyStorageOutcome _storage = PrecopyStorageOutcome.Unusable;
    private long _appended;
    private string? _detail;
    private int _reused;
    private int _copied;
    private int _removed;
    private bool _claimed;

    private PrecopyReconciler(SnapshotPrecopy precopy, SnapshotOptions options)
    {
        _precopy = precopy;
        _options = options;
        _copier = new PrecopyCopier(precopy.ChunkBytes);
    }

    /// <summary>What the snapshot did with the pre-copy, given the number of schema files it holds.</summary>
    public PrecopyReport ReportFor(int schemaFiles) => _claimed
        ? new(_storage, _precopy.StorageBytes, _appended, _detail, _reused, _copied, _removed)
        : new(_storage, _precopy.StorageBytes, 0, _detail, 0, schemaFiles, 0);

    /// <summary>Bytes of the storage file the pre-copy holds.</summary>
    public long PrefixBytes => _precopy.StorageBytes;

    /// <summary>The reconciler for the options' pre-copy, or null when there is none.</summary>
    public static PrecopyReconciler? For(SnapshotOptions options) => options.Precopy is { } precopy ? new PrecopyReconciler(precopy, options) : null;

    /// <summary>
    /// Renames the pre-copy's directory to <paramref name="staging"/>, the snapshot's staging name, if
    /// it is this data directory's, unused and untouched; returns false (and the snapshot makes its
    /// own staging directory) otherwise. Runs before the snapshot removes leftovers, which would
    /// otherwise remove the pre-copy with them.
    /// </summary>
    public bool TryClaim(string dataDirectory, string schemaDirectory, string staging)
    {
        string? reason = Unusable(dataDirectory, schemaDirectory);
        if (reason is not null)
        {
            _precopy.MarkConsumed();
            return Fallback(PrecopyStorageOutcome.Unusable, reason);
        }

        _stagedStorage = _precopy.TakeStagedStorage();
        string? renameFailure = null;
        try
        {
            if (!AtomicRename.TryNoReplace(_precopy.StagingDirectory, staging, isDirectory: true))
            {
                renameFailure = Errors.Describe(Errno.EEXIST);
            }
        }
        catch (NativeIOException ex)
        {
            renameFailure = Errors.Describe(ex.Errno);
        }

        if (renameFailure is not null)
        {
            DisposeStagedStorage();
            return Fallback(PrecopyStorageOutcome.Unusable, $"its directory could not be renamed to {Path.GetFileName(staging)} ({renameFailure})");
        }

        _claimed = true;
        return true;
    }

    private string? Unusable(string dataDirectory, string schemaDirectory)
    {
        if (_precopy.IsConsumed)
        {
            return "it was already used or disposed";
        }

        if (FileIdentity.Of(dataDirectory) != _precopy.DataDirectoryIdentity)
        {
            return $"it was made for another data directory ({_precopy.DataDirectory})";
        }

        if (!string.Equals(Path.GetFullPath(schemaDirectory), _precopy.SchemaDirectory, StringComparison.Ordinal))
        {
            return $"it was made for another schema directory ({_precopy.SchemaDirectory})";
        }

        if (FileIdentity.Of(_precopy.StagingDirectory) != _precopy.StagingIdentity)
        {
            return $"its staging directory {_precopy.StagingDirectory} was removed or replaced";
        }

        return null;
    }

    /// <summary>
    /// Completes the staged storage copy: same file, at least as long, prefix unchanged (re-hashed,
    /// normally from the page cache), then the tail appended with the CRC-32 continued, fdatasync'd.
    /// Returns false after removing the staged copy when any check fails: the caller then copies the
    /// storage file in full into the same path.
    /// </summary>
    public bool TryCompleteStorage(SafeFileHandle source, string sourcePath, FileStatus before, string stagedPath, Span<byte> buffer, ProgressReporter progress, Action<SnapshotStep> enter, out Crc32Checksum checksum)
    {
        checksum = default;
        SafeFileHandle staged = _stagedStorage ?? throw new InvalidOperationException("The pre-copy was not claimed.");
        enter(SnapshotStep.CopyStorage);

        // The staged file must still be the one this pre-copy wrote (nothing replaced it in the directory).
        if (FileIdentity.Of(stagedPath) != FileIdentity.Of(staged, stagedPath))
        {
            return DropStaged(stagedPath, PrecopyStorageOutcome.Unusable, "the staged storage copy was replaced");
        }

        long prefix = _precopy.StorageBytes;
        FileIdentity identity = FileIdentity.Of(source, sourcePath);
        if (identity != _precopy.StorageIdentity)
        {
            return DropStaged(stagedPath, PrecopyStorageOutcome.Replaced, $"the storage file is another file now (inode {identity}, pre-copied {_precopy.StorageIdentity})");
        }

        if (before.Size < prefix)
        {
            return DropStaged(stagedPath, PrecopyStorageOutcome.Shrank, $"the storage file shrank from {prefix} to {before.Size} bytes");
        }

        int differing = _copier.FirstDifferingChunk(source, sourcePath, prefix, _precopy.PrefixChunkHashes, buffer, progress, _options.CancellationToken);
        if (differing >= 0)
        {
            long from = (long)differing * _copier.ChunkBytes;
            long to = Math.Min(prefix, from + _copier.ChunkBytes);
            return DropStaged(stagedPath, PrecopyStorageOutcome.PrefixChanged, $"bytes in [{from}, {to}) changed in place since the pre-copy (the first differing region; the storage file is meant to be append-only)");
        }

        StreamingCrc32 crc = _precopy.PrefixCrc;
        long appended = PrecopyCopier.AppendTail(source, sourcePath, staged, stagedPath, prefix, crc, buffer, progress, _options.CancellationToken);

        enter(SnapshotStep.SyncStorage);
        NativeFile.Sync(staged, stagedPath, dataOnly: true);
        NativeFile.DropCachedPages(staged, prefix);

        DisposeStagedStorage();

        // As in the ordinary copy: a file that changed while it was read is not a point-in-time image.
        FileStatus after = NativeFile.Status(source, sourcePath);
        if (prefix + appended != before.Size || after.Size != before.Size
            || after.ModifiedSeconds != before.ModifiedSeconds || after.ModifiedNanoseconds != before.ModifiedNanoseconds)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The storage file '{sourcePath}' changed while it was copied (size {before.Size} → {after.Size}, {prefix + appended} bytes copied): something wrote without holding the execution lock.",
                SnapshotStep.CopyStorage,
                sourcePath,
                rule: "writes are paused for the whole snapshot");
        }

        _storage = PrecopyStorageOutcome.Appended;
        _appended = appended;
        checksum = new Crc32Checksum(crc.GetCurrentHashAsUInt32());
        return true;
    }

    /// <summary>
    /// Brings the staged schema tree (already under <paramref name="destinationRoot"/>) to the source
    /// tree's content: keeps each staged file whose source still hashes the same, removes the
    /// others and what disappeared, copies what is new or changed, and makes it all durable. Returns
    /// the checksums in the same order a plain copy gives.
    /// </summary>
    public ChecksumMap ReconcileSchemas(SchemaTree schemas, string sourceRoot, string destinationRoot, Span<byte> buffer, ProgressReporter progress, Action<SnapshotStep> enter)
    {
        enter(SnapshotStep.CopySchemas);
        IReadOnlyDictionary<string, StagedSchemaFile> staged = _precopy.StagedSchemaFiles;
        var checksums = new Crc32Checksum?[schemas.Files.Count];
        var kept = new HashSet<string>(StringComparer.Ordinal);
        if (_options.PrefetchSchemas)
        {
            // As the ordinary copy: queue every source's read-ahead at once, so a cold tree is
            // read by the disk in parallel rather than one synchronous read per file.
            foreach (SchemaFile file in schemas.Files)
            {
                NativeFile.StartReadAhead(Path.Join(sourceRoot, file.RelativePath));
            }
        }

        for (int i = 0; i < schemas.Files.Count; i++)
        {
            SchemaFile file = schemas.Files[i];
            if (!staged.TryGetValue(file.RelativePath, out StagedSchemaFile copy) || copy.Length != file.Size)
            {
                continue;
            }

            string sourcePath = Path.Join(sourceRoot, file.RelativePath);
            using SafeFileHandle source = NativeFile.OpenRegularForRead(sourcePath, out _);
            if (_copier.HashWhole(source, sourcePath, buffer, out UInt128 strong) == copy.Length && strong == copy.StrongHash)
            {
                checksums[i] = copy.Checksum;
                kept.Add(file.RelativePath);
                _reused++;
                progress.Advance(copy.Length, sourcePath);
            }
        }

        // Out with what is gone or changed: files, then directories the source no longer has,
        // deepest first (each is empty by then: none of its files is in the source tree).
        var sourceFiles = new HashSet<string>(schemas.Files.Select(static f => f.RelativePath), StringComparer.Ordinal);
        foreach (string path in staged.Keys)
        {
            if (!kept.Contains(path))
            {
                if (sourceFiles.Contains(path))
                {
                    _options.Logger?.LogSchemaChanged(path);
                }

                string stagedPath = Path.Join(destinationRoot, path);
                NativeFile.Remove(stagedPath);

                _removed++;
            }
        }

        var sourceDirectories = new HashSet<string>(schemas.Directories, StringComparer.Ordinal);
        var stagedDirectories = new HashSet<string>(_precopy.StagedSchemaDirectories, StringComparer.Ordinal);
        for (int i = _precopy.StagedSchemaDirectories.Count - 1; i >= 0; i--)
        {
            string directory = _precopy.StagedSchemaDirectories[i];
            if (!sourceDirectories.Contains(directory))
            {
                string stagedPath = Path.Join(destinationRoot, directory);
                NativeFile.RemoveDirectory(stagedPath);
            }
        }

        foreach (string directory in schemas.Directories)
        {
            if (!stagedDirectories.Contains(directory))
            {
                NativeFile.MakeDirectory(Path.Join(destinationRoot, directory), DirectoryMode);
            }
        }

        CopyMissing(schemas, sourceRoot, destinationRoot, checksums, buffer, progress, enter);

        // Every directory, deepest first, as the ordinary copy does: the unchanged ones were synced
        // by the pre-copy and cost a system call each, no I/O.
        for (int i = schemas.Directories.Count - 1; i >= 0; i--)
        {
            NativeFile.SyncDirectory(Path.Join(destinationRoot, schemas.Directories[i]));
        }

        NativeFile.SyncDirectory(destinationRoot);
        var entries = new List<ChecksumEntry>(schemas.Files.Count);
        for (int i = 0; i < schemas.Files.Count; i++)
        {
            entries.Add(new ChecksumEntry(schemas.Files[i].RelativePath, checksums[i]!.Value));
        }

        return entries.Count == 0 ? ChecksumMap.Empty : ChecksumMap.Create(entries);
    }

    private void CopyMissing(SchemaTree schemas, string sourceRoot, string destinationRoot, Crc32Checksum?[] checksums, Span<byte> buffer, ProgressReporter progress, Action<SnapshotStep> enter)
    {
        var crc = new StreamingCrc32();
        var pending = new List<(SafeFileHandle Handle, string Path)>(SchemaSyncBatch);
        try
        {
            for (int i = 0; i < schemas.Files.Count; i++)
            {
                if (checksums[i] is not null)
                {
                    continue;
                }

                _options.CancellationToken.ThrowIfCancellationRequested();
                string relative = schemas.Files[i].RelativePath;
                string sourcePath = Path.Join(sourceRoot, relative);
                string destinationPath = Path.Join(destinationRoot, relative);
                using SafeFileHandle source = NativeFile.OpenRegularForRead(sourcePath, out _);
                SafeFileHandle destination = NativeFile.CreateNew(destinationPath, ReadOnlyFileMode);
                pending.Add((destination, destinationPath));
                long length = _copier.CopyWhole(source, sourcePath, destination, destinationPath, crc, buffer, out _);
                checksums[i] = new Crc32Checksum(crc.GetCurrentHashAsUInt32());
                progress.Advance(length, sourcePath);
                _copied++;
                NativeFile.StartWriteback(destination, destinationPath);
                if (pending.Count == SchemaSyncBatch)
                {
                    SyncAndClose(pending);
                }
            }

            enter(SnapshotStep.SyncSchemas);
            SyncAndClose(pending);
        }
        finally
        {
            foreach ((SafeFileHandle handle, _) in pending)
            {
                handle.Dispose();
            }
        }
    }

    private static void SyncAndClose(List<(SafeFileHandle Handle, string Path)> pending)
        => NativeFile.SyncAndCloseAll(pending, dataOnly: true);

    /// <summary>Closes the staged storage copy if this reconciler still holds it (after a failure too).</summary>
    public void DisposeStagedStorage()
    {
        _stagedStorage?.Dispose();
        _stagedStorage = null;
    }

    private bool DropStaged(string stagedPath, PrecopyStorageOutcome outcome, string reason)
    {
        DisposeStagedStorage();
        _precopy.SetAside(stagedPath);

        return Fallback(outcome, reason);
    }

    private bool Fallback(PrecopyStorageOutcome outcome, string reason)
    {
        _storage = outcome;
        _detail = reason;
        _options.Logger?.LogStorageFallback(Path.GetFileName(_precopy.StagingDirectory), outcome, reason);
        return false;
    }
}
