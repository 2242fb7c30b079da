using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.ManifestFormat;
using AeroSnapshot.Fast.Verification;
using AeroSnapshot.Fast.Wal;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// Reads a backup archive as hostile input, in one sequential pass that verify-backup and
/// restore-backup share: the same checks, in the same order, with the same verdict; restore-backup
/// only adds the writes. With a <c>dataRoot</c> the files are written into that directory laid out
/// as a data directory (<c>storage.dat</c>, <c>metadata/schemas/**</c>, <c>wal/wal.log</c>); without
/// one nothing is written at all.
/// </summary>
/// <remarks>
/// <para>
/// What is read: the archives this library writes and those AeroDB writes (members sorted by name,
/// so <c>backup_manifest.json</c> first; directories named without a trailing <c>/</c>; real times,
/// modes with file-type bits and owners), and both re-packed by standard tools, in any member order,
/// as ustar, GNU (long names) or PAX (<c>path</c>/<c>size</c> records) (<see cref="TarStreamReader"/>).
/// Times, modes and owners are never read. Because the snapshot manifest may come after the files
/// it describes, every file's CRC-32 is taken as it streams and compared once the whole archive was
/// read; nothing is swapped in before that (restore-backup writes into its temporary directory only).
/// </para>
/// <para>
/// Refused, naming the entry: a damaged header (checksum), a size beyond the end of the archive
/// (before any byte is written or reserved), bytes after the end-of-archive marker other than zeros;
/// any type but a regular file or a directory (links, devices, FIFOs, GNU sparse files, PAX global
/// headers…); a name that is absolute, has an empty, <c>.</c> or <c>..</c> segment, or is not where
/// the layout puts it; a name seen twice; a schema file with something below it (<c>zz</c> and
/// <c>zz/inner.json</c>); a name or path too long to create on the target
/// (<see cref="BackupTargetLimits"/>); a schema directory without its own entry; a missing
/// <c>snapshot/</c>, <c>snapshot/manifest.json</c>, <c>snapshot/storage.dat</c>, <c>snapshot/schemas/</c>,
/// <c>wal/</c> or <c>backup_manifest.json</c>; manifests that do not agree with each other or with
/// the archive; a checksum mismatch; a file the snapshot manifest does not list (except, as for a
/// snapshot on disk, nested schema files of a manifest that lists top-level files only, as AeroDB
/// writes it: those are unpacked and reported as <see cref="BackupVerification.Unverified"/>); a WAL
/// record AeroDB's reader would refuse. Every file and directory is created new (<c>O_EXCL</c>,
/// <c>mkdir</c>) below a directory this process made, so an entry can never write through a link or
/// over something that exists.
/// </para>
/// </remarks>
internal sealed class BackupArchiveReader : IDisposable
{
    private const int SnapshotManifestLimit = 64 << 20;
    private const int BackupManifestLimit = 1 << 20;
    private const uint FileMode = FileModes.File; // the database writes storage.dat
    private const uint DirectoryMode = FileModes.Directory;
    private const string SchemasPrefix = BackupLayout.SnapshotSchemas;
    private const string DataSchemasPrefix = "metadata/schemas/";
    private const string LayoutRule = "a backup archive holds exactly snapshot/, wal/ and backup_manifest.json";

    // Entry names as compared: directories without their trailing '/'.
    private static readonly string SnapshotName = BackupLayout.SnapshotDirectory.TrimEnd('/');
    private static readonly string SchemasName = BackupLayout.SnapshotSchemas.TrimEnd('/');
    private static readonly string WalName = BackupLayout.WalDirectory.TrimEnd('/');
    private static readonly string[] Required =
        [SnapshotName, BackupLayout.SnapshotManifest, BackupLayout.SnapshotStorage, SchemasName, WalName, BackupManifest.FileName];

    private readonly string _archivePath;
    private readonly string? _dataRoot;
    private readonly BackupTargetLimits _limits;
    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private readonly StreamingCrc32 _crc = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _schemaEntries = new(StringComparer.Ordinal);      // path under schemas/ → is a directory
    private readonly HashSet<string> _schemaParents = new(StringComparer.Ordinal);               // directories something lies below
    private readonly Dictionary<string, (Crc32Checksum Checksum, long Size)> _schemaFiles = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directoriesMade = new(StringComparer.Ordinal);
    private readonly List<string> _directoriesInOrder = [];
    private readonly List<(SafeFileHandle Handle, string Path)> _unsynced = [];
    private ProgressReporter _progress = ProgressReporter.None;
    private SnapshotManifest? _snapshotManifest;
    private BackupManifest? _backupManifest;
    private (Crc32Checksum Checksum, long Size)? _storage;
    private WalSummary? _wal;

    public BackupArchiveReader(string archivePath, string? dataRoot, BackupTargetLimits limits, SnapshotOptions options, AlignedBufferPool buffers)
    {
        _archivePath = archivePath;
        _dataRoot = dataRoot;
        _limits = limits;
        _options = options;
        _buffers = buffers;
    }

    /// <summary>Checks (and, with a data root, unpacks) the whole archive.</summary>
    /// <exception cref="SnapshotException">The archive is refused: <c>AERO_METADATA_CORRUPTION</c>, <c>AERO_DATA_CORRUPTION</c> or <c>AERO_WAL_CORRUPTION</c>; or a system call failed.</exception>
    public BackupVerification Read()
    {
        SnapshotStep step = _dataRoot is null ? SnapshotStep.Read : SnapshotStep.RestoreBackupUnpack;
        SafeFileHandle handle;
        FileStatus status;
        try
        {
            handle = NativeFile.OpenRegularForRead(_archivePath, out status);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Read);
        }

        try
        {
            using (handle)
            using (var stream = new SequentialFileStream(handle, _archivePath))
            {
                // A local file's length is known, so no declared size can exceed what it holds.
                _progress = new ProgressReporter(_options.Progress, status.Size);
                return ReadArchive(new TarStreamReader(stream, _archivePath, status.Size));
            }
        }
        catch (ArchiveFormatException ex)
        {
            throw Metadata(ex.Message);
        }
        catch (WalFrameException frame)
        {
            throw WalValidator.Corruption(_archivePath + ":" + BackupLayout.WalFile, frame);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, step);
        }
    }

    /// <summary>
    /// Makes everything unpacked durable: fsync of every file, then of every directory made, deepest
    /// first, then of the data root; the files are closed.
    /// </summary>
    public void SyncAndClose()
    {
        foreach ((SafeFileHandle handle, string path) in _unsynced)
        {
            NativeFile.Sync(handle, path, dataOnly: false);
        }

        Dispose();
        for (int i = _directoriesInOrder.Count - 1; i >= 0; i--)
        {
            NativeFile.SyncDirectory(Path.Join(_dataRoot, _directoriesInOrder[i]));
        }

        NativeFile.SyncDirectory(_dataRoot!);
    }

    /// <summary>Closes the files written.</summary>
    public void Dispose()
    {
        foreach ((SafeFileHandle handle, _) in _unsynced)
        {
            handle.Dispose();
        }

        _unsynced.Clear();
    }

    private BackupVerification ReadArchive(TarStreamReader tar)
    {
        MakeDirectory("metadata");
        MakeDirectory(DataSchemasPrefix.TrimEnd('/'));
        MakeDirectory(WalName);
        while (tar.Next() is { } entry)
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            Accept(tar, entry);
        }

        return Conclude();
    }

    /// <summary>Checks one entry's type and name, and reads its data where the layout puts it.</summary>
    private void Accept(TarStreamReader tar, TarEntryHeader entry)
    {
        string name = CheckedName(entry);
        bool isDirectory = entry.Type == '5';
        if (!_names.Add(name))
        {
            throw Metadata($"'{entry.Name}' appears twice in the archive");
        }

        if (name == SnapshotName || name == SchemasName || name == WalName)
        {
            RequireKind(entry, isDirectory, directory: true);
        }
        else if (name == BackupLayout.SnapshotManifest)
        {
            RequireKind(entry, isDirectory, directory: false);
            _snapshotManifest = ReadSnapshotManifest(tar, entry);
        }
        else if (name == BackupLayout.SnapshotStorage)
        {
            RequireKind(entry, isDirectory, directory: false);
            _storage = (Copy(tar, entry, SnapshotLayout.StorageFileName, null), entry.Size);
        }
        else if (name == BackupLayout.WalFile)
        {
            RequireKind(entry, isDirectory, directory: false);
            var validator = new WalFrameValidator(_archivePath + ":" + BackupLayout.WalFile, entry.Size);
            _ = Copy(tar, entry, SnapshotLayout.WalPath, validator);
            _wal = validator.Complete();
        }
        else if (name == BackupManifest.FileName)
        {
            RequireKind(entry, isDirectory, directory: false);
            _backupManifest = ReadBackupManifest(tar, entry);
        }
        else if (name.StartsWith(SchemasPrefix, StringComparison.Ordinal))
        {
            AcceptSchemaEntry(tar, entry, name[SchemasPrefix.Length..], isDirectory);
        }
        else
        {
            throw Metadata($"'{entry.Name}' is not part of a backup's layout (snapshot/, wal/ and backup_manifest.json)");
        }
    }

    /// <summary>The entry's name with a directory's trailing <c>/</c> removed, once its type and every segment passed.</summary>
    private string CheckedName(TarEntryHeader entry)
    {
        if (entry.Sparse || entry.Type is not ('0' or '\0' or '5'))
        {
            throw Metadata($"'{entry.Name}' is a {Describe(entry)}; a backup archive holds only regular files and directories");
        }

        string name = entry.Name;
        if (name.Length == 0 || name[0] == '/' || name.Contains('\0', StringComparison.Ordinal))
        {
            throw Metadata($"'{name}' (the entry at byte {entry.Offset}) is not a relative path");
        }

        if (entry.Type == '5')
        {
            if (entry.Size != 0)
            {
                throw Metadata($"the directory '{name}' carries {entry.Size} bytes of data");
            }

            // AeroDB writes "snapshot", this library and GNU tar "snapshot/": the same directory.
            name = name.EndsWith('/') ? name[..^1] : name;
        }

        foreach (Range range in name.AsSpan().Split('/'))
        {
            ReadOnlySpan<char> segment = name.AsSpan()[range];
            if (segment is "" or "." or "..")
            {
                throw Metadata($"'{entry.Name}' has a '{segment}' segment; a backup archive never does");
            }
        }

        return name;
    }

    private void RequireKind(TarEntryHeader entry, bool isDirectory, bool directory)
    {
        if (isDirectory != directory)
        {
            throw Metadata($"'{entry.Name}' is a {Describe(entry)} where the backup layout has a {(directory ? "directory" : "regular file")}");
        }
    }

    private void AcceptSchemaEntry(TarStreamReader tar, TarEntryHeader entry, string relative, bool isDirectory)
    {
        if (SchemaPath.Validate(relative) is { } reason)
        {
            throw Metadata($"'{entry.Name}' is not a valid schema path: {reason}");
        }

        string inDataDirectory = DataSchemasPrefix + relative;
        if (_limits.Check(inDataDirectory) is { } tooLong)
        {
            throw Metadata($"'{entry.Name}' cannot be restored: {tooLong}");
        }

        // A file with anything below it cannot be created, whichever of the two comes first.
        for (string? ancestor = ParentOf(relative); ancestor is not null; ancestor = ParentOf(ancestor))
        {
            if (_schemaEntries.TryGetValue(ancestor, out bool ancestorIsDirectory) && !ancestorIsDirectory)
            {
                throw Metadata($"'{entry.Name}' lies below '{SchemasPrefix}{ancestor}', which is a regular file");
            }

            _schemaParents.Add(ancestor);
        }

        if (!isDirectory && _schemaParents.Contains(relative))
        {
            throw Metadata($"'{entry.Name}' is a regular file, but other entries of the archive lie below it");
        }

        _schemaEntries.Add(relative, isDirectory);
        if (isDirectory)
        {
            MakeSchemaDirectories(relative);
            return;
        }

        if (ParentOf(relative) is { } parent)
        {
            MakeSchemaDirectories(parent);
        }

        _schemaFiles.Add(relative, (Copy(tar, entry, inDataDirectory, null), entry.Size));
    }

    /// <summary>Everything read: what must be there, the manifests against each other and the archive, every checksum.</summary>
    private BackupVerification Conclude()
    {
        foreach (string required in Required)
        {
            if (!_names.Contains(required))
            {
                bool directory = required == SnapshotName || required == SchemasName || required == WalName;
                throw Metadata($"the archive has no '{required}{(directory ? "/" : string.Empty)}': it is not a complete backup");
            }
        }

        foreach (string parent in _schemaParents.Order(StringComparer.Ordinal))
        {
            if (!_schemaEntries.ContainsKey(parent))
            {
                throw Metadata($"entries lie below '{SchemasPrefix}{parent}/', which has no entry of its own");
            }
        }

        SnapshotManifest manifest = _snapshotManifest!;
        BackupManifest backupManifest = _backupManifest!;
        if (backupManifest.SnapshotId != manifest.SnapshotId)
        {
            throw Metadata($"{BackupManifest.FileName} names snapshot {backupManifest.SnapshotId} but the archive holds {manifest.SnapshotId}");
        }

        if (backupManifest.WalPresent != _wal.HasValue)
        {
            throw Metadata($"{BackupManifest.FileName} says wal_present is {(backupManifest.WalPresent ? "true" : "false")} but the archive {(_wal.HasValue ? "has" : "has no")} {BackupLayout.WalFile}");
        }

        (long bytes, int files, List<string> unverified) = CompareChecksums(manifest);
        if (_dataRoot is not null && _wal is null)
        {
            // The new data directory gets an empty WAL, as a checkpoint leaves it.
            string walPath = Path.Join(_dataRoot, SnapshotLayout.WalPath);
            SafeFileHandle empty = NativeFile.CreateNew(walPath, FileMode);
            _unsynced.Add((empty, walPath));
        }

        return new BackupVerification(_archivePath, backupManifest, manifest, bytes, files, _wal) { Unverified = unverified };
    }

    private (long Bytes, int Files, List<string> Unverified) CompareChecksums(SnapshotManifest manifest)
    {
        (Crc32Checksum storage, long bytes) = _storage!.Value;
        if (storage != manifest.StorageChecksum)
        {
            throw Data(BackupLayout.SnapshotStorage, $"'{BackupLayout.SnapshotStorage}': the snapshot manifest records {manifest.StorageChecksum} but its {bytes} bytes have {storage}");
        }

        int files = 1;
        foreach (ChecksumEntry listed in manifest.SchemaChecksums)
        {
            string name = SchemasPrefix + listed.Path;
            if (!_schemaFiles.TryGetValue(listed.Path, out (Crc32Checksum Checksum, long Size) actual))
            {
                throw Data(name, $"'{name}', listed in the snapshot manifest, is not in the archive as a regular file");
            }

            if (actual.Checksum != listed.Checksum)
            {
                throw Data(name, $"'{name}': the snapshot manifest records {listed.Checksum} but its {actual.Size} bytes have {actual.Checksum}");
            }

            bytes += actual.Size;
            files++;
        }

        // As verify tolerates them on disk: AeroDB checksums only the files directly in schemas/.
        bool toleratesNested = !_options.Strict && SnapshotInventory.ListsTopLevelOnly(manifest.SchemaChecksums);
        var unverified = new List<string>();
        foreach (string relative in _schemaFiles.Keys.Order(StringComparer.Ordinal))
        {
            if (manifest.SchemaChecksums.TryGetValue(relative, out _))
            {
                continue;
            }

            string name = SchemasPrefix + relative;
            if (!toleratesNested || !relative.Contains('/', StringComparison.Ordinal))
            {
                throw Data(name, $"'{name}' is not a file the snapshot manifest lists");
            }

            unverified.Add(name);
        }

        return (bytes, files, unverified);
    }

    private SnapshotManifest ReadSnapshotManifest(TarStreamReader tar, TarEntryHeader entry)
    {
        byte[] bytes = ReadSmall(tar, entry, SnapshotManifestLimit);
        SnapshotManifest manifest;
        try
        {
            manifest = SnapshotManifest.ReadUtf8(bytes);
        }
        catch (ManifestFormatException ex)
        {
            throw new SnapshotException(SnapshotErrorCode.MetadataCorruption, $"Backup '{_archivePath}': {BackupLayout.SnapshotManifest} is invalid: {ex.Message}", SnapshotStep.Read, _archivePath, innerException: ex, rule: "a snapshot's manifest is valid");
        }

        // The same rule as for a snapshot on disk (a reference-written one may be a little late).
        return OpenedSnapshot.CreatedAtProblem(manifest) is { } problem
            ? throw Metadata($"{BackupLayout.SnapshotManifest}: {problem.TrimEnd('.')}")
            : manifest;
    }

    private BackupManifest ReadBackupManifest(TarStreamReader tar, TarEntryHeader entry)
    {
        byte[] bytes = ReadSmall(tar, entry, BackupManifestLimit);
        try
        {
            return BackupManifest.ReadUtf8(bytes);
        }
        catch (ManifestFormatException ex)
        {
            throw new SnapshotException(SnapshotErrorCode.MetadataCorruption, $"Backup '{_archivePath}': {BackupManifest.FileName} is invalid: {ex.Message}", SnapshotStep.Read, _archivePath, innerException: ex, rule: "a backup's manifest is valid");
        }
    }

    private byte[] ReadSmall(TarStreamReader tar, TarEntryHeader entry, int limit)
    {
        if (entry.Size > limit)
        {
            throw Metadata($"'{entry.Name}' is {entry.Size} bytes, more than the {limit} it may have");
        }

        var bytes = new byte[entry.Size];
        int done = 0;
        while (done < bytes.Length)
        {
            done += tar.ReadData(bytes.AsSpan(done));
        }

        return bytes;
    }

    /// <summary>Streams an entry's data through the CRC (and the WAL record check) and, when unpacking, into a new file.</summary>
    private Crc32Checksum Copy(TarStreamReader tar, TarEntryHeader entry, string relative, WalFrameValidator? frames)
    {
        SafeFileHandle? destination = null;
        string? destinationPath = null;
        if (_dataRoot is not null)
        {
            destinationPath = Path.Join(_dataRoot, relative);
            destination = NativeFile.CreateNew(destinationPath, FileMode);
            _unsynced.Add((destination, destinationPath));

            // Never reserved on the archive's word alone: the size was checked against the bytes
            // the archive still holds, and an archive of unknown length reserves nothing.
            if (entry.Size > 0 && tar.LengthKnown)
            {
                NativeFile.Preallocate(destination, destinationPath, entry.Size);
            }
        }

        _crc.Reset();
        using AlignedBufferPool.Lease lease = _buffers.Rent();
        Span<byte> buffer = lease.Span;
        var writeback = new WritebackWindow(_options.WritebackWindowBytes);
        long offset = 0;
        while (offset < entry.Size)
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            int read = tar.ReadData(buffer);
            ReadOnlySpan<byte> chunk = buffer[..read];
            _crc.Append(chunk);
            frames?.Append(chunk);
            if (destination is not null)
            {
                PositionalIO.WriteAll(destination, destinationPath!, chunk, offset);

                writeback.OnWritten(destination, destinationPath!, offset + read);
            }

            offset += read;
            _progress.Advance(read, entry.Name);
        }

        return new Crc32Checksum(_crc.GetCurrentHashAsUInt32());
    }

    private void MakeSchemaDirectories(string relative)
    {
        int slash = -1;
        do
        {
            slash = relative.IndexOf('/', slash + 1);
            MakeDirectory(DataSchemasPrefix + (slash < 0 ? relative : relative[..slash]));
        }
        while (slash >= 0);
    }

    private void MakeDirectory(string relative)
    {
        if (_dataRoot is null || !_directoriesMade.Add(relative))
        {
            return; // verify-backup writes nothing; a directory is made once
        }

        NativeFile.MakeDirectory(Path.Join(_dataRoot, relative), DirectoryMode);
        _directoriesInOrder.Add(relative);
    }

    private static string? ParentOf(string relative)
    {
        int slash = relative.LastIndexOf('/');
        return slash < 0 ? null : relative[..slash];
    }

    private SnapshotException Metadata(string reason) => new(
        SnapshotErrorCode.MetadataCorruption,
        $"Backup '{_archivePath}' refused: {reason}.",
        SnapshotStep.Read,
        _archivePath,
        rule: LayoutRule);

    private SnapshotException Data(string entry, string reason) => new(
        SnapshotErrorCode.DataCorruption,
        $"Backup '{_archivePath}' refused: {reason}.",
        SnapshotStep.Read,
        _archivePath + ":" + entry,
        rule: "every snapshot file matches its manifest checksum");

    private static string Describe(TarEntryHeader entry) => entry.Sparse ? "GNU sparse file" : entry.Type switch
    {
        '0' or '\0' => "regular file",
        '5' => "directory",
        '1' => "hard link",
        '2' => "symbolic link",
        '3' => "character device",
        '4' => "block device",
        '6' => "FIFO",
        '7' => "contiguous file",
        'g' => "PAX global header",
        'S' => "GNU sparse file",
        'D' => "GNU dump directory",
        'M' => "GNU multi-volume continuation",
        'V' => "GNU volume label",
        >= ' ' and <= '~' => $"entry of type '{entry.Type}'",
        _ => $"entry of type 0x{(int)entry.Type:x2}",
    };
}
