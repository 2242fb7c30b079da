using System.Text;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Interop;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Json;
using AeroSnapshot.Fast.Precopy;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// One snapshot attempt: the specification's exact sequence on top of the durable publish
/// protocol. The steps run in order on the calling thread; the first failure stops the attempt,
/// removes everything it made, and is reported with the step it happened in.
/// </summary>
internal sealed class SnapshotCreator
{
    private const uint ReadOnlyFileMode = 0b100_100_100;   // 0444: snapshot files are never modified
    private const uint DirectoryMode = 0b111_101_101;      // 0755
    private const int SchemaSyncBatch = 128;                // open descriptors held while schema writeback runs

    private readonly SnapshotRequest _request;
    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private readonly FileCopier _copier = new();
    private SnapshotStep _step = SnapshotStep.CheckLock;
    private string? _stagingDirectory;
    private string? _publishedDirectory;
    private readonly StepRecorder _recorder;
    private StorageCopyMethod _storageCopy = StorageCopyMethod.Streamed;
    private long _pauseStart;
    private string? _createdSnapshotsDirectory;   // snapshots/ made by this attempt: removed again if it fails
    private readonly PrecopyReconciler? _precopy;  // the caller's pre-copy, if any (Precopy/)

    public SnapshotCreator(SnapshotRequest request, SnapshotOptions options, AlignedBufferPool buffers, StepRecorder recorder)
    {
        _request = request;
        _options = options;
        _buffers = buffers;
        _recorder = recorder;
        _precopy = PrecopyReconciler.For(options);
    }

    public SnapshotResult Run()
    {
        try
        {
            return RunSteps();
        }
        catch (Exception failure)
        {
            _precopy?.DisposeStagedStorage();
            _recorder.Finish(failure);
            Exception reported = Classify(failure);
            Exception? cleanupFailure = CleanUp();
            if (reported is SnapshotException snapshotError)
            {
                snapshotError.CleanupFailure ??= cleanupFailure;
                _options.Logger?.LogFailure(snapshotError);
            }

            if (ReferenceEquals(reported, failure))
            {
                throw;
            }

            throw reported;
        }
    }

    private SnapshotResult RunSteps()
    {
        Enter(SnapshotStep.CheckLock);
        _pauseStart = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!_request.ExecutionLock.IsHeldByCurrentThread)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                "A snapshot may only be taken while the calling thread holds the global execution lock.",
                SnapshotStep.CheckLock,
                rule: "writes are paused for the whole snapshot");
        }

        // One clock reading gives both the id and created_at.
        SnapshotId id = SnapshotId.FromDateTimeOffset(_options.TimeProvider.GetUtcNow());

        Enter(SnapshotStep.Prepare);
        string dataDirectory = _request.DataDirectory;
        if (NativeFile.TryStatus(dataDirectory) is not { Kind: FileKind.Directory })
        {
            throw new SnapshotException(SnapshotErrorCode.Failed, $"The data directory '{dataDirectory}' does not exist or is not a directory.", SnapshotStep.Prepare, dataDirectory);
        }

        string snapshotsDirectory = Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName);
        RefuseLinksOnTheWayToSchemas(dataDirectory, _request.SchemaDirectory);
        if (EnsureSnapshotsDirectory(snapshotsDirectory))
        {
            _createdSnapshotsDirectory = snapshotsDirectory;
        }

        string finalDirectory = Path.Join(snapshotsDirectory, id.ToString());
        if (NativeFile.TryStatus(finalDirectory) is not null)
        {
            throw Collision(id, finalDirectory);
        }

        string staging = Path.Join(snapshotsDirectory, StagingArea.StagingName(id));

        // A pre-copy's directory becomes this attempt's staging directory, before leftovers (which
        // it would be one of) are removed; an unusable pre-copy leaves the ordinary path.
        bool precopied = _precopy?.TryClaim(dataDirectory, _request.SchemaDirectory, staging) == true;
        if (precopied)
        {
            _stagingDirectory = staging;
        }

        StagingArea.RemoveLeftovers(snapshotsDirectory, keep: precopied ? Path.GetFileName(staging) : null);

        using SourceFile storage = OpenStorage();
        SchemaTree schemas = ScanSchemas();
        CheckPathLengths(Path.Join(staging, SnapshotLayout.SchemasDirectoryName), schemas);
        CheckFreeSpace(snapshotsDirectory, storage.Status.Size - (precopied ? _precopy!.PrefixBytes : 0), schemas);
        if (!precopied)
        {
            NativeFile.MakeDirectory(staging, DirectoryMode);
        }

        _stagingDirectory = staging;

        Enter(SnapshotStep.SyncWal);
        _request.Wal.MakeDurable();

        using AlignedBufferPool.Lease buffer = _buffers.Rent();
        var progress = new ProgressReporter(_options.Progress, storage.Status.Size + schemas.TotalBytes);

        string stagedStorage = Path.Join(staging, SnapshotLayout.StorageFileName);
        string stagedSchemas = Path.Join(staging, SnapshotLayout.SchemasDirectoryName);
        Crc32Checksum storageChecksum = precopied && _precopy!.TryCompleteStorage(storage.Handle, storage.Path, storage.Status, stagedStorage, buffer.Span, progress, Enter, out Crc32Checksum completed)
            ? completed
            : CopyStorage(storage, stagedStorage, buffer.Span, progress);
        ChecksumMap schemaChecksums = precopied
            ? _precopy!.ReconcileSchemas(schemas, _request.SchemaDirectory, stagedSchemas, buffer.Span, progress, Enter)
            : CopySchemas(schemas, stagedSchemas, buffer.Span, progress);

        Enter(SnapshotStep.WriteManifest);
        SnapshotManifest manifest = SnapshotManifest.Create(id, storageChecksum, schemaChecksums);
        int manifestBytes = WriteManifest(manifest, Path.Join(staging, SnapshotManifest.FileName), buffer.Span);

        Enter(SnapshotStep.SyncStaging);
        NativeFile.SyncDirectory(staging);

        Enter(SnapshotStep.Publish);
        Publish(staging, finalDirectory, id);
        _stagingDirectory = null;
        _publishedDirectory = finalDirectory;

        Enter(SnapshotStep.SyncParent);
        NativeFile.SyncDirectory(snapshotsDirectory);

        // Always, not only when this attempt's mkdir made snapshots/: an earlier attempt that made it
        // and then failed or was killed before this fsync leaves an entry that may not be durable,
        // and every later attempt would find the directory existing. With nothing dirty in the data
        // directory this fsync costs the system calls and no I/O.
        NativeFile.SyncDirectory(dataDirectory);
        _createdSnapshotsDirectory = null;

        _publishedDirectory = null;
        _recorder.Finish();
        return new SnapshotResult(
            id,
            finalDirectory,
            storage.Status.Size + schemas.TotalBytes + manifestBytes,
            schemas.Files.Count + 2,
            _storageCopy,
            _recorder.Elapsed,
            System.Diagnostics.Stopwatch.GetElapsedTime(_pauseStart),
            _recorder.Steps)
        {
            Precopy = _precopy?.ReportFor(schemas.Files.Count),
        };
    }

    private void Enter(SnapshotStep step)
    {
        _step = step;
        _recorder.Enter(step);
        _options.CancellationToken.ThrowIfCancellationRequested();
        _options.BeforeStep?.Invoke(step);
    }

    private SourceFile OpenStorage()
    {
        if (_request.StorageHandle is { } handle)
        {
            FileStatus status = NativeFile.Status(handle, _request.StoragePath);
            if (status.Kind != FileKind.Regular)
            {
                throw new HostileTreeException(_request.StoragePath, $"the storage file is {FileStatus.Describe(status.Kind)}");
            }

            return new SourceFile(handle, _request.StoragePath, status, ownsHandle: false);
        }

        FileStatus? pathStatus = NativeFile.TryStatus(_request.StoragePath);
        if (pathStatus is null)
        {
            throw new SnapshotException(SnapshotErrorCode.Failed, $"The storage file '{_request.StoragePath}' does not exist.", SnapshotStep.Prepare, _request.StoragePath, Errno.ENOENT);
        }

        if (pathStatus.Value.Kind != FileKind.Regular)
        {
            throw new HostileTreeException(_request.StoragePath, $"the storage path is {FileStatus.Describe(pathStatus.Value.Kind)}, not a regular file");
        }

        SafeFileHandle opened = NativeFile.OpenRegularForRead(_request.StoragePath, out FileStatus openedStatus);
        return new SourceFile(opened, _request.StoragePath, openedStatus, ownsHandle: true);
    }

    private SchemaTree ScanSchemas() => SchemaTree.Scan(_request.SchemaDirectory);

    /// <summary>
    /// Refuses a schema tree whose copy cannot be made because a path in the staging directory would
    /// be longer than a system call takes (PATH_MAX, 4096 bytes with the NUL), naming the source
    /// path. The copy would meet the same ENAMETOOLONG, but only after the whole storage file, while
    /// writes are paused; the staging root is longer than <c>metadata/schemas</c>, so a source tree
    /// that was readable can still not fit.
    /// </summary>
    private void CheckPathLengths(string stagingSchemas, SchemaTree schemas)
    {
        const int PathMax = 4096;
        int prefix = Encoding.UTF8.GetByteCount(stagingSchemas) + 1;
        foreach (string relative in schemas.Directories.Concat(schemas.Files.Select(static f => f.RelativePath)))
        {
            int length = prefix + Encoding.UTF8.GetByteCount(relative);
            if (length >= PathMax)
            {
                string source = Path.Join(_request.SchemaDirectory, relative);
                throw new SnapshotException(
                    SnapshotErrorCode.Failed,
                    $"Snapshot step Prepare refused the source: '{source}' cannot be copied: its copy in the staging directory would have a path of {length} bytes, and the system takes at most {PathMax - 1}.",
                    SnapshotStep.Prepare,
                    source,
                    Errno.ENAMETOOLONG);
            }
        }
    }

    private static void CheckFreeSpace(string snapshotsDirectory, long storageBytes, SchemaTree schemas)
    {
        if (Sys.StatVfs(snapshotsDirectory, out Sys.StatVfsResult fs) < 0)
        {
            throw Errors.Last("statvfs", snapshotsDirectory);
        }

        long block = (long)Math.Max(fs.FragmentSize, 512);
        long RoundUp(long bytes) => (bytes + block - 1) / block * block;

        // Files rounded up to whole blocks, one block per directory, and the manifest (≈ 100 bytes
        // per schema file). Indirect blocks and journal are not counted: this check exists to fail
        // early on the obvious case; fallocate and the copy itself still catch the rest.
        long needed = RoundUp(storageBytes) + (block * (schemas.Directories.Count + 2)) + RoundUp(1024 + (100L * schemas.Files.Count));
        foreach (SchemaFile file in schemas.Files)
        {
            needed += RoundUp(file.Size);
        }

        long available = (long)(fs.AvailableBlocks * fs.FragmentSize);
        if (available < needed)
        {
            throw new SnapshotException(
                SnapshotErrorCode.IO,
                $"Not enough free space in '{snapshotsDirectory}': the snapshot needs about {needed} bytes and {available} are available.",
                SnapshotStep.Prepare,
                snapshotsDirectory,
                Errno.ENOSPC);
        }
    }

    private Crc32Checksum CopyStorage(SourceFile storage, string destinationPath, Span<byte> buffer, ProgressReporter progress)
    {
        Enter(SnapshotStep.CopyStorage);
        using SafeFileHandle destination = NativeFile.CreateNew(
            destinationPath, ReadOnlyFileMode, _options.StorageWriteMode == DestinationWriteMode.Direct ? OpenFlags.Direct : 0);
        using (var sourceFd = new RawDescriptor(storage.Handle))
        {
            // Sequential read-ahead on the source; its pages are the database's cache, never evicted.
            _ = Sys.FAdvise(sourceFd.Value, 0, 0, Sys.FAdviseSequential);
        }

        Crc32Checksum checksum;
        long copied;
        var writeback = new WritebackWindow(_options.WritebackWindowBytes);
        if (_options.UseReflink && storage.Status.Size > 0 && Reflink.TryClone(storage.Handle, destination, destinationPath))
        {
            // The clone shares the source's blocks: read it once for the checksum. Its pages are
            // the copy's own (a separate inode), so the database's cache is left alone.
            using var cloneForRead = NativeFile.OpenRegularForRead(destinationPath, out _);
            checksum = _copier.Checksum(cloneForRead, destinationPath, buffer, progress, _options.CancellationToken, out copied);
            writeback = new WritebackWindow(0);
            _storageCopy = StorageCopyMethod.Reflinked;
        }
        else
        {
            if (_options.Preallocate && storage.Status.Size > 0)
            {
                NativeFile.Preallocate(destination, destinationPath, storage.Status.Size);
            }

            checksum = _copier.Copy(storage.Handle, storage.Path, destination, destinationPath, buffer, ref writeback, progress, _options.CancellationToken, out copied, _options.StorageWriteMode);
        }

        Enter(SnapshotStep.SyncStorage);
        NativeFile.Sync(destination, destinationPath, dataOnly: !_options.SyncFilesWithFsync);
        using (var destinationFd = new RawDescriptor(destination))
        {
            writeback.OnSynced(destinationFd.Value);
        }

        // The database promised no writes while we hold its lock; if the file changed anyway, the
        // copy is not a point-in-time image and must not be published.
        FileStatus after = NativeFile.Status(storage.Handle, storage.Path);
        if (copied != storage.Status.Size || after.Size != storage.Status.Size
            || after.ModifiedSeconds != storage.Status.ModifiedSeconds || after.ModifiedNanoseconds != storage.Status.ModifiedNanoseconds)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The storage file '{storage.Path}' changed while it was copied (size {storage.Status.Size} → {after.Size}, {copied} bytes copied): something wrote without holding the execution lock.",
                SnapshotStep.CopyStorage,
                storage.Path,
                rule: "writes are paused for the whole snapshot");
        }

        return checksum;
    }

    private ChecksumMap CopySchemas(SchemaTree schemas, string destinationRoot, Span<byte> buffer, ProgressReporter progress)
    {
        Enter(SnapshotStep.CopySchemas);
        NativeFile.MakeDirectory(destinationRoot, DirectoryMode);
        foreach (string directory in schemas.Directories)
        {
            NativeFile.MakeDirectory(Path.Join(destinationRoot, directory), DirectoryMode);
        }

        // Small files: write a batch, start each one's writeback at once, then fdatasync the batch.
        // The disk works on all of them together instead of one fsync round trip per file.
        if (_options.PrefetchSchemas)
        {
            PrefetchSchemaSources(schemas);
        }

        var entries = new List<ChecksumEntry>(schemas.Files.Count);
        var pending = new List<(SafeFileHandle Handle, string Path)>(SchemaSyncBatch);
        try
        {
            foreach (SchemaFile file in schemas.Files)
            {
                string sourcePath = Path.Join(_request.SchemaDirectory, file.RelativePath);
                string destinationPath = Path.Join(destinationRoot, file.RelativePath);
                using SafeFileHandle source = NativeFile.OpenRegularForRead(sourcePath, out _);
                SafeFileHandle destination = NativeFile.CreateNew(destinationPath, ReadOnlyFileMode);
                pending.Add((destination, destinationPath));
                var noWindow = new WritebackWindow(0);
                Crc32Checksum checksum = _copier.Copy(source, sourcePath, destination, destinationPath, buffer, ref noWindow, progress, _options.CancellationToken, out _);
                entries.Add(new ChecksumEntry(file.RelativePath, checksum));
                if (_options.SchemaSync == SchemaSyncMode.Batched)
                {
                    NativeFile.StartWriteback(destination, destinationPath);
                }

                if (_options.SchemaSync == SchemaSyncMode.SyncFs)
                {
                    destination.Dispose();
                    pending.Clear();
                }
                else if (pending.Count == SchemaSyncBatch || _options.SchemaSync == SchemaSyncMode.EachAsWritten)
                {
                    SyncAndClose(pending);
                    _step = SnapshotStep.CopySchemas;
                }
            }

            Enter(SnapshotStep.SyncSchemas);
            SyncAndClose(pending);
        }
        finally
        {
            foreach ((SafeFileHandle handle, _) in pending)
            {
                handle.Dispose();
            }
        }

        _step = SnapshotStep.SyncSchemas;
        if (_options.SchemaSync == SchemaSyncMode.SyncFs)
        {
            using SafeFileHandle root = NativeFile.OpenForSync(destinationRoot, directory: true);
            using var fd = new RawDescriptor(root);
            if (Sys.SyncFs(fd.Value) < 0)
            {
                throw Errors.Last("syncfs", destinationRoot);
            }

            return entries.Count == 0 ? ChecksumMap.Empty : ChecksumMap.Create(entries);
        }

        // Deepest directories first: each one's entries are durable before its parent's.
        for (int i = schemas.Directories.Count - 1; i >= 0; i--)
        {
            NativeFile.SyncDirectory(Path.Join(destinationRoot, schemas.Directories[i]));
        }

        NativeFile.SyncDirectory(destinationRoot);
        return entries.Count == 0 ? ChecksumMap.Empty : ChecksumMap.Create(entries);
    }

    /// <summary>
    /// Asks the kernel to read every schema source ahead (<c>POSIX_FADV_WILLNEED</c>) before the
    /// copy starts. The requests are queued together, so the disk serves many small files at once
    /// instead of one synchronous read per file, and the copy then finds them in memory: more I/O
    /// in flight from one thread, with no extra threads and no asynchronous API. A source that
    /// cannot be opened fails the snapshot here, before anything is copied, as the copy would.
    /// </summary>
    private void PrefetchSchemaSources(SchemaTree schemas)
    {
        foreach (SchemaFile file in schemas.Files)
        {
            NativeFile.StartReadAhead(Path.Join(_request.SchemaDirectory, file.RelativePath));
        }
    }

    private void SyncAndClose(List<(SafeFileHandle Handle, string Path)> pending)
    {
        _step = SnapshotStep.SyncSchemas;
        foreach ((SafeFileHandle handle, string path) in pending)
        {
            NativeFile.Sync(handle, path, dataOnly: !_options.SyncFilesWithFsync);
        }

        foreach ((SafeFileHandle handle, _) in pending)
        {
            handle.Dispose();
        }

        pending.Clear();
    }

    /// <summary>Writes and syncs the manifest; returns its length in bytes.</summary>
    private int WriteManifest(SnapshotManifest manifest, string path, Span<byte> buffer)
    {
        int length = manifest.GetUtf8ByteCount();
        Span<byte> bytes = length <= buffer.Length ? buffer[..length] : new byte[length];
        if (!manifest.TryWriteUtf8(bytes, out int written) || written != length)
        {
            throw new SnapshotException(SnapshotErrorCode.Manifest, "The manifest could not be serialized.", SnapshotStep.WriteManifest, path);
        }

        using SafeFileHandle handle = NativeFile.CreateNew(path, ReadOnlyFileMode);
        try
        {
            RandomAccess.Write(handle, bytes, 0);
        }
        catch (IOException ex)
        {
            throw Errors.FromIOException("write", path, ex);
        }

        Enter(SnapshotStep.SyncManifest);
        NativeFile.Sync(handle, path, dataOnly: !_options.SyncFilesWithFsync);
        return length;
    }

    private static void Publish(string staging, string finalDirectory, SnapshotId id)
    {
        if (Sys.RenameAt2(Sys.AtFdCwd, staging, Sys.AtFdCwd, finalDirectory, Sys.RenameNoReplace) == 0)
        {
            return;
        }

        int errno = Errors.LastErrno;
        if (errno is Errno.EEXIST or Errno.ENOTEMPTY)
        {
            throw Collision(id, finalDirectory);
        }

        if (errno is Errno.EINVAL or Errno.ENOSYS)
        {
            // The file system cannot rename without replacing. The execution lock excludes other
            // snapshotters, so checking first and renaming after is safe here.
            if (NativeFile.TryStatus(finalDirectory) is not null)
            {
                throw Collision(id, finalDirectory);
            }

            if (Sys.Rename(staging, finalDirectory) == 0)
            {
                return;
            }

            errno = Errors.LastErrno;
        }

        throw Errors.For("rename", staging, errno);
    }

    private static SnapshotException Collision(SnapshotId id, string finalDirectory) => new(
        SnapshotErrorCode.Failed,
        $"A snapshot with id {id} already exists at '{finalDirectory}' (two snapshots in one second); it was left untouched.",
        SnapshotStep.Publish,
        finalDirectory,
        Errno.EEXIST,
        rule: "an existing snapshot is never replaced");

    /// <summary>
    /// Creates <c>snapshots/</c> if needed; returns true when this call created it. Anything else
    /// standing at that name (a file, a symbolic link, dangling or not) is refused by name: a
    /// snapshot is only ever written into a real directory of the data directory.
    /// </summary>
    private static bool EnsureSnapshotsDirectory(string path)
    {
        if (Sys.MkDir(path, DirectoryMode) == 0)
        {
            return true;
        }

        int errno = Errors.LastErrno;
        if (errno == Errno.EEXIST && NativeFile.TryStatus(path) is { } existing)
        {
            if (existing.Kind == FileKind.Directory)
            {
                return false;
            }

            throw new HostileTreeException(path, $"'{SnapshotLayout.SnapshotsDirectoryName}' is {FileStatus.Describe(existing.Kind)}, not a directory; snapshots are only written into a real directory, and it was left as it is{(existing.Kind == FileKind.SymbolicLink ? " (not followed)" : string.Empty)}");
        }

        throw Errors.For("mkdir", path, errno);
    }

    /// <summary>
    /// One rule for links on the way to the schemas: when the schema directory is inside the data
    /// directory (the AeroDB layout, <c>metadata/schemas</c>), every directory between the two must
    /// be a real directory, not a symbolic link, exactly as the schema directory itself must be
    /// (<see cref="SchemaTree"/>). Following a link there would snapshot a tree from anywhere on the
    /// machine under the data directory's name. A schema directory given explicitly outside the data
    /// directory is the caller's choice of path; only its last component is held to the rule.
    /// </summary>
    private static void RefuseLinksOnTheWayToSchemas(string dataDirectory, string schemaDirectory)
    {
        string relative = Path.GetRelativePath(Path.GetFullPath(dataDirectory), Path.GetFullPath(schemaDirectory));
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return;
        }

        string current = Path.GetFullPath(dataDirectory);
        string[] components = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < components.Length - 1; i++)
        {
            current = Path.Join(current, components[i]);
            FileStatus? status = NativeFile.TryStatus(current);
            if (status is null)
            {
                return; // no schema directory below a missing one: an empty tree, as in the reference
            }

            if (status.Value.Kind != FileKind.Directory)
            {
                throw new HostileTreeException(current, $"it is {FileStatus.Describe(status.Value.Kind)} on the way to the schema directory, not a directory; links there are never followed");
            }
        }
    }

    private Exception Classify(Exception failure) => failure switch
    {
        SnapshotException => failure,
        OperationCanceledException => failure,
        NativeIOException native => SnapshotException.FromNative(native, _step),
        HostileTreeException hostile => new SnapshotException(SnapshotErrorCode.Failed, $"Snapshot step {_step} refused the source: {hostile.Message}", _step, hostile.Path, innerException: hostile),
        ManifestFormatException manifest => new SnapshotException(SnapshotErrorCode.Manifest, $"Snapshot step {_step} failed: {manifest.Message}", _step, innerException: manifest),
        IOException io => new SnapshotException(SnapshotErrorCode.IO, $"Snapshot step {_step} failed: {io.Message}", _step, errno: io.HResult is > 0 and < 4096 ? io.HResult : null, innerException: io),
        _ => new SnapshotException(SnapshotErrorCode.Failed, $"Snapshot step {_step} failed: {failure.Message}", _step, innerException: failure),
    };

    /// <summary>Removes what this attempt made; returns the clean-up's own failure, if any.</summary>
    private Exception? CleanUp()
    {
        try
        {
            if (_publishedDirectory is { } published && _stagingDirectory is null)
            {
                // Published but not durable: take it back out of sight before deleting it, so a
                // crash during deletion cannot leave a half-deleted tree under a snapshot's name.
                string aside = Path.Join(Path.GetDirectoryName(published)!, StagingArea.DeletingPrefix + Path.GetFileName(published));
                if (Sys.RenameAt2(Sys.AtFdCwd, published, Sys.AtFdCwd, aside, Sys.RenameNoReplace) < 0)
                {
                    throw Errors.Last("rename", published);
                }

                _publishedDirectory = null;
                _stagingDirectory = aside;
            }

            if (_stagingDirectory is { } staging)
            {
                DirectoryTree.Delete(staging);
                _stagingDirectory = null;
                NativeFile.SyncDirectory(Path.GetDirectoryName(staging)!);
            }

            if (_createdSnapshotsDirectory is { } created)
            {
                // Made by this attempt and empty again: a failed create leaves the data directory as
                // it found it. rmdir refuses if anything appeared in it meanwhile; then it stays.
                _createdSnapshotsDirectory = null;
                if (NativeFile.TryRemoveEmptyDirectory(created))
                {
                    NativeFile.SyncDirectory(Path.GetDirectoryName(created)!);
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _options.Logger?.LogCleanupFailed(ex);
            return ex;
        }
    }

    /// <summary>An open source file and what it looked like before copying.</summary>
    private readonly struct SourceFile(SafeFileHandle handle, string path, FileStatus status, bool ownsHandle) : IDisposable
    {
        public SafeFileHandle Handle { get; } = handle;

        public string Path { get; } = path;

        public FileStatus Status { get; } = status;

        public void Dispose()
        {
            if (ownsHandle)
            {
                Handle.Dispose();
            }
        }
    }
}
