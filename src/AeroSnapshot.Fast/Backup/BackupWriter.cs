using System.Formats.Tar;
using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Layout;
using AeroSnapshot.Fast.ManifestFormat;
using AeroSnapshot.Fast.Verification;
using AeroSnapshot.Fast.Wal;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// One backup, in the contract's order, under the execution lock the caller holds: fsync the WAL →
/// pick the newest valid snapshot → stream it and the WAL into the archive → <c>backup_manifest.json</c>
/// → fsync → publish with a no-replace rename → fsync the directory.
/// </summary>
/// <remarks>
/// One pass per byte: a candidate snapshot is first checked without reading data (manifest, tree,
/// id), then each file is streamed into the archive while its CRC-32 is compared with the manifest's,
/// and the WAL while AeroDB's reader's rules are checked. The candidates are those verify and
/// discovery accept: a reference-written snapshot's unlisted schema files are packed too, and named
/// as unverified. A snapshot whose bytes no longer match its manifest is never packaged: the archive
/// is emptied and the next older snapshot is tried, as discovery would, but never one older than
/// the snapshot <c>checkpoint.json</c> names: the WAL was reset after that one, so an older snapshot
/// with this WAL would lose every write in between (the backup fails instead). The archive is
/// written under <c>.&lt;name&gt;.partial</c> beside the output (see <see cref="PartialArchive"/>)
/// and removed on any failure.
/// </remarks>
internal sealed class BackupWriter : OperationAttempt<BackupResult>
{
    private const uint ArchiveMode = FileModes.File;
    private const int ManifestLimit = 64 << 20;

    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private readonly StreamingCrc32 _crc = new();
    private readonly string _dataDirectory;
    private readonly string? _walPath;
    private readonly IExecutionLock _executionLock;
    private readonly string _output;
    private readonly string _outputDirectory;
    private readonly string _temporary;
    private bool _temporaryCreated;   // the partial archive exists and is this attempt's to delete
    private bool _published;          // renamed to the output, its directory not yet synced

    public BackupWriter(string dataDirectory, string outputPath, string? walPath, IExecutionLock executionLock, SnapshotOptions options, AlignedBufferPool buffers)
        : base(options, recorder: null, SnapshotStep.CheckLock, OperationTelemetry.Backup)
    {
        _options = options;
        _buffers = buffers;
        _dataDirectory = dataDirectory;
        _walPath = walPath;
        _executionLock = executionLock;
        _output = Path.GetFullPath(outputPath);
        _outputDirectory = Path.GetDirectoryName(_output)!;
        _temporary = Path.Join(_outputDirectory, "." + Path.GetFileName(_output) + ".partial");
    }

    protected override string Describe(SnapshotStep step) => $"Backup step {step}";

    protected override string Component => "backup";

    protected override TimeSpan? Elapsed(BackupResult result) => result.Duration;

    protected override BackupResult RunSteps()
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        return WriteBackup() with { Duration = System.Diagnostics.Stopwatch.GetElapsedTime(start) };
    }

    private BackupResult WriteBackup()
    {
        ExecutionLockCheck.ThrowUnlessHeld(_executionLock, "A backup", "writes are paused for the whole backup");

        SnapshotId backupId = SnapshotId.FromDateTimeOffset(_options.TimeProvider.GetUtcNow());
        Steps.Enter(SnapshotStep.Prepare);
        CheckOutput(_output, _outputDirectory);
        SafeFileHandle archiveHandle = PartialArchive.Create(_temporary, _output, ArchiveMode);
        _temporaryCreated = true;
        try
        {
            BackupResult result = Write(_dataDirectory, _walPath, backupId, _output, _temporary, archiveHandle);
            Steps.Enter(SnapshotStep.BackupPublish);
            Publish(_temporary, _output);
            _published = true;
            NativeFile.SyncDirectory(_outputDirectory);
            return result;
        }
        finally
        {
            // Unlocked before it is closed, so the published archive is never left locked by a
            // child process the host forked while we held the descriptor.
            NativeFile.UnlockAndClose(archiveHandle);
        }
    }

    /// <summary>
    /// Removes the archive this attempt created: the partial file, or the published one whose
    /// directory entry could not be made durable (the fsync of its directory failed). A failed
    /// backup leaves no file at the output, as a failed create leaves no snapshot, so the user's
    /// retry is not refused by an archive they were told they did not get.
    /// </summary>
    protected override Exception? CleanUp()
    {
        if (!_temporaryCreated)
        {
            return null;
        }

        try
        {
            _ = DurableFile.RemoveIfPresent(_published ? _output : _temporary);
            NativeFile.SyncDirectory(_outputDirectory);
            return null;
        }
        catch (IOException cleanup)
        {
            return cleanup;
        }
    }

    private BackupResult Write(string dataDirectory, string? walPath, SnapshotId backupId, string output, string temporary, SafeFileHandle archiveHandle)
    {
        Steps.Enter(SnapshotStep.SyncWal);
        using WalSource? wal = WalSource.Open(walPath ?? Path.Join(dataDirectory, SnapshotLayout.WalPath), required: walPath is not null);

        Steps.Enter(SnapshotStep.BackupWrite);
        CheckpointMarker? checkpoint = ReadCheckpoint(dataDirectory);
        List<SnapshotsDirectory.Entry> entries = SnapshotsDirectory.Scan(dataDirectory) ?? [];
        var skipped = new List<SkippedSnapshot>();
        using AlignedBufferPool.Lease scratch = _buffers.Rent();
        foreach (SnapshotsDirectory.Entry entry in entries)
        {
            if (entry.Id is not { } id)
            {
                continue;
            }

            if (checkpoint is { WalTruncated: true } && id < checkpoint.SnapshotId)
            {
                throw WalNotContinued(dataDirectory, checkpoint, id, skipped);
            }

            // The snapshots verify and discovery accept: a reference-written one's unlisted schema
            // files are packed with it, unverified (nothing records their checksums) and named so.
            using OpenedSnapshot? opened = OpenedSnapshot.TryOpen(entry.Path, scratch.Span, stopAtFirstProblem: false, strict: _options.Strict);
            if (opened is null)
            {
                continue; // removed since the listing
            }

            if (opened.Problems.FirstOrDefault(static p => p.IsReadFailure) is { } unreadable)
            {
                throw ReadFailure(entry.Path, unreadable);
            }

            if (opened.Problems.Count > 0 || opened.Inventory is null)
            {
                Skip(skipped, id, entry.Path, opened.Manifest, opened.Problems);
                continue;
            }

            var archive = new ArchiveFileStream(archiveHandle, temporary, _options.WritebackWindowBytes);
            var manifest = new BackupManifest
            {
                BackupId = backupId,
                CreatedAt = backupId.Instant,
                SnapshotId = id,
                WalPresent = wal is not null,
                FormatVersion = BackupManifest.CurrentFormatVersion,
            };
            try
            {
                (long snapshotBytes, int files) = Pack(opened, wal, manifest, archive);
                Steps.Enter(SnapshotStep.BackupSync);
                archive.Sync();
                HashSet<string> packed = [.. opened.Inventory.UnlistedFiles.Select(static f => f.RelativePath)];
                return new BackupResult(output, manifest, archive.Position, snapshotBytes, files, wal?.Length ?? 0, skipped)
                {
                    UnverifiedFiles = [.. packed],
                    LeftOut = [.. opened.Unlisted.Select(static u => u.RelativePath).Where(p => !packed.Contains(p))],
                };
            }
            catch (PackedFileCorruptException corrupt)
            {
                Skip(skipped, id, entry.Path, opened.Manifest, [corrupt.Problem]);
                Steps.Attribute(SnapshotStep.BackupWrite);
                NativeFile.Truncate(archiveHandle, temporary, 0);
            }
        }

        throw new SnapshotException(
            SnapshotErrorCode.Failed,
            skipped.Count == 0
                ? $"There is no snapshot to back up under '{SnapshotsDirectory.PathIn(dataDirectory)}'."
                : $"There is no valid snapshot to back up under '{SnapshotsDirectory.PathIn(dataDirectory)}': {skipped.Count} skipped ({string.Join("; ", skipped.Select(static s => $"{s.Id}: {s.Code}"))}).",
            SnapshotStep.BackupWrite,
            SnapshotsDirectory.PathIn(dataDirectory));
    }

    private (long Bytes, int Files) Pack(OpenedSnapshot opened, WalSource? wal, BackupManifest backupManifest, ArchiveFileStream archive)
    {
        SnapshotInventory inventory = opened.Inventory!;
        var progress = new ProgressReporter(_options.Progress, inventory.TotalBytes + inventory.UnlistedBytes + (wal?.Length ?? 0));
        using var chain = new DirectoryChain(opened.Handle!);
        using var tar = new TarWriter(archive, BackupLayout.Format, leaveOpen: true);

        tar.WriteEntry(BackupLayout.Entry(TarEntryType.Directory, BackupLayout.SnapshotDirectory));
        byte[] manifestBytes = ReadManifest(opened, chain);
        WriteBytes(tar, BackupLayout.SnapshotManifest, manifestBytes);

        long bytes = 0;
        int files = 0;
        InventoryFile storage = inventory.Files.Single(static f => f.SchemaKey is null);
        bytes += PackFile(tar, chain, opened.Directory, storage, BackupLayout.SnapshotStorage, progress);
        files++;

        tar.WriteEntry(BackupLayout.Entry(TarEntryType.Directory, BackupLayout.SnapshotSchemas));
        foreach ((string name, InventoryFile? file) in SchemaEntries(inventory))
        {
            if (file is { } schemaFile)
            {
                bytes += PackFile(tar, chain, opened.Directory, schemaFile, BackupLayout.SnapshotDirectory + name, progress);
                files++;
            }
            else
            {
                tar.WriteEntry(BackupLayout.Entry(TarEntryType.Directory, BackupLayout.SnapshotDirectory + name));
            }
        }

        tar.WriteEntry(BackupLayout.Entry(TarEntryType.Directory, BackupLayout.WalDirectory));
        if (wal is not null)
        {
            var validator = new WalFrameValidator(wal.Path, wal.Length);
            using var stream = new ChecksummingFileStream(wal.Handle, wal.Path, wal.Length, _buffers, _crc, progress, _options.CancellationToken, validator);
            GnuTarEntry entry = BackupLayout.Entry(TarEntryType.RegularFile, BackupLayout.WalFile);
            entry.DataStream = stream;
            try
            {
                tar.WriteEntry(entry);
                validator.Complete();
            }
            catch (WalFrameException frame)
            {
                throw WalValidator.Corruption(wal.Path, frame);
            }
        }

        WriteBytes(tar, BackupManifest.FileName, backupManifest.ToUtf8());
        return (bytes, files);
    }

    /// <summary>The schema tree's directories (trailing <c>/</c>) and files, listed and unlisted, by ordinal path: deterministic, and each directory before what it holds.</summary>
    private static List<(string Name, InventoryFile? File)> SchemaEntries(SnapshotInventory inventory)
    {
        var list = new List<(string Name, InventoryFile? File)>();
        foreach (string directory in inventory.SchemaDirectories)
        {
            list.Add((SnapshotLayout.SchemasDirectoryName + "/" + directory + "/", null));
        }

        foreach (InventoryFile file in inventory.Files.Concat(inventory.UnlistedFiles))
        {
            if (file.SchemaKey is not null)
            {
                list.Add((file.RelativePath, file));
            }
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    private long PackFile(TarWriter tar, DirectoryChain chain, string snapshotDirectory, InventoryFile file, string entryName, ProgressReporter progress)
    {
        string path = Path.Join(snapshotDirectory, file.RelativePath);
        using SafeFileHandle handle = chain.OpenForRead(file.RelativePath, out FileStatus status);
        if (status.Kind != FileKind.Regular)
        {
            throw new PackedFileCorruptException(new VerificationProblem(
                VerificationProblemKind.NotARegularFile, file.RelativePath, $"{file.RelativePath} is {FileStatus.Describe(status.Kind)}, not a regular file; it was not read.", file.Expected));
        }

        using var stream = new ChecksummingFileStream(handle, path, status.Size, _buffers, _crc, progress, _options.CancellationToken);
        GnuTarEntry entry = BackupLayout.Entry(TarEntryType.RegularFile, entryName);
        entry.DataStream = stream;
        tar.WriteEntry(entry);
        Crc32Checksum actual = stream.Checksum;
        if (file.Expected is { } expected && actual != expected)
        {
            throw new PackedFileCorruptException(new VerificationProblem(
                VerificationProblemKind.ChecksumMismatch,
                file.RelativePath,
                $"{file.RelativePath}: the manifest records {expected} but its {status.Size} bytes have {actual}; it was not packaged.",
                expected,
                actual));
        }

        return status.Size;
    }

    /// <summary>The manifest's own bytes, read again and checked to be what the inventory was taken from.</summary>
    private static byte[] ReadManifest(OpenedSnapshot opened, DirectoryChain chain)
    {
        string path = Path.Join(opened.Directory, SnapshotManifest.FileName);
        using SafeFileHandle handle = chain.OpenForRead(SnapshotManifest.FileName, out FileStatus status);
        if (status.Kind != FileKind.Regular || status.Size > ManifestLimit)
        {
            throw new PackedFileCorruptException(new VerificationProblem(VerificationProblemKind.ManifestInvalid, SnapshotManifest.FileName, $"{SnapshotManifest.FileName} changed while the snapshot was read."));
        }

        var bytes = new byte[status.Size];
        int done = PositionalIO.ReadFull(handle, path, bytes, 0);

        SnapshotManifest? reread = null;
        try
        {
            reread = done == bytes.Length ? SnapshotManifest.ReadUtf8(bytes) : null;
        }
        catch (ManifestFormatException)
        {
        }

        if (reread is null || !reread.Equals(opened.Manifest))
        {
            throw new PackedFileCorruptException(new VerificationProblem(VerificationProblemKind.ManifestInvalid, SnapshotManifest.FileName, $"{path} changed while the snapshot was read."));
        }

        return bytes;
    }

    private static void WriteBytes(TarWriter tar, string name, byte[] bytes)
    {
        GnuTarEntry entry = BackupLayout.Entry(TarEntryType.RegularFile, name);
        using var data = new MemoryStream(bytes, writable: false);
        entry.DataStream = data;
        tar.WriteEntry(entry);
    }

    /// <summary>
    /// A snapshot that could not be read (EIO, EACCES …) is not thereby corrupt: passing it over for
    /// an older one would back up stale data under an error that names corruption and loses the
    /// errno (found by the strace sweep). The backup fails instead, naming the file and the errno,
    /// as prune refuses to delete while a read fails.
    /// </summary>
    private static SnapshotException ReadFailure(string snapshotPath, VerificationProblem unreadable)
    {
        string path = Path.Join(snapshotPath, unreadable.RelativePath);
        return new SnapshotException(
            SnapshotErrorCode.IO,
            $"Reading the snapshot '{snapshotPath}' failed at '{path}': {unreadable.Message} The backup stops rather than pass over a snapshot it could not read.",
            SnapshotStep.BackupWrite,
            path,
            unreadable.Errno);
    }

    /// <summary><c>checkpoint.json</c>, or null when there is none; one that cannot be read or parsed stops the backup, which cannot then tell which snapshot the WAL continues.</summary>
    private static CheckpointMarker? ReadCheckpoint(string dataDirectory)
    {
        string path = Path.Join(dataDirectory, CheckpointMarker.FileName);
        try
        {
            return CheckpointMarker.ReadIn(dataDirectory);
        }
        catch (ManifestFormatException ex)
        {
            throw new SnapshotException(
                SnapshotErrorCode.MetadataCorruption,
                $"'{path}' is not a valid checkpoint marker ({ex.Message}), so which snapshot the WAL continues is unknown; no backup was written.",
                SnapshotStep.BackupWrite,
                path,
                innerException: ex,
                rule: "a backup pairs the WAL with the snapshot it continues");
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.BackupWrite);
        }
    }

    /// <summary>
    /// The newest snapshot that could be packed is older than the one <c>checkpoint.json</c> names:
    /// the WAL was reset after that one, so this WAL does not continue the older snapshot, and the
    /// writes between the two would be in neither part of the archive. Not corruption of anything
    /// the backup writes (AERO_SNAPSHOT_FAILED, exit 3, as when there is no valid snapshot at all);
    /// a damaged checkpoint snapshot is reported with its own code among the skipped ones.
    /// </summary>
    private static SnapshotException WalNotContinued(string dataDirectory, CheckpointMarker checkpoint, SnapshotId candidate, List<SkippedSnapshot> skipped)
    {
        string why = skipped.FirstOrDefault(s => s.Id == checkpoint.SnapshotId) is { } skip
            ? $"that snapshot is not valid ({skip.Code}{(skip.Problems.Count > 0 ? ": " + skip.Problems[0].Message.TrimEnd('.') : string.Empty)})"
            : $"that snapshot is not under '{SnapshotsDirectory.PathIn(dataDirectory)}'";
        return new SnapshotException(
            SnapshotErrorCode.Failed,
            $"The WAL continues snapshot {checkpoint.SnapshotId} ({CheckpointMarker.FileName} records that it was reset after that checkpoint), but {why}. "
            + $"The older snapshot {candidate} with this WAL would lose every write in between, so no backup was written.",
            SnapshotStep.BackupWrite,
            Path.Join(dataDirectory, CheckpointMarker.FileName),
            invariant: "D1",
            rule: "a backup pairs the WAL with the snapshot it continues");
    }

    private void Skip(List<SkippedSnapshot> skipped, SnapshotId id, string path, SnapshotManifest? manifest, IReadOnlyList<VerificationProblem> problems)
    {
        var report = new VerificationReport(path, manifest, problems, 0, 0);
        var skip = new SkippedSnapshot(id, path, report.CorruptionCode ?? SnapshotErrorCode.DataCorruption, problems);
        skipped.Add(skip);
        _options.Logger?.LogSnapshotSkipped(id.ToString(), skip.Code, report.Summarize());
    }

    private static void CheckOutput(string output, string directory)
    {
        if (NativeFile.TryStatus(directory) is not { Kind: FileKind.Directory })
        {
            throw new SnapshotException(SnapshotErrorCode.Failed, $"The output directory '{directory}' does not exist or is not a directory.", SnapshotStep.Prepare, directory, Errno.ENOENT);
        }

        if (NativeFile.TryStatus(output) is not null)
        {
            throw Exists(output);
        }
    }

    private static SnapshotException Exists(string output) => new(
        SnapshotErrorCode.Failed,
        $"'{output}' already exists; a backup never replaces a file. Choose another name.",
        SnapshotStep.BackupPublish,
        output,
        Errno.EEXIST,
        rule: "an existing file is never replaced");

    private static void Publish(string temporary, string output)
    {
        if (!AtomicRename.TryNoReplace(temporary, output, isDirectory: false))
        {
            throw Exists(output);
        }
    }

    /// <summary>A snapshot file whose bytes do not match the manifest (found while packing).</summary>
    private sealed class PackedFileCorruptException(VerificationProblem problem) : Exception(problem.Message)
    {
        public VerificationProblem Problem { get; } = problem;
    }
}
