using System.Formats.Tar;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.ManifestFormat;
using AeroSnapshot.Fast.Wal;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// Reads a backup archive as hostile input, in one pass: every entry is checked against the exact
/// layout <see cref="BackupLayout"/> writes before a byte of it is written anywhere, every file's
/// CRC-32 is compared with the packed snapshot manifest as it streams, and the WAL's record frames
/// are checked as it streams. With a <c>dataRoot</c> the files are written into that directory laid
/// out as a data directory (<c>storage.dat</c>, <c>metadata/schemas/**</c>, <c>wal/wal.log</c>);
/// without one nothing is written at all (verify-backup).
/// </summary>
/// <remarks>
/// Refused, naming the entry: a name that is absolute, has <c>..</c>, <c>.</c> or an empty segment,
/// or is not where the layout puts it; any type but a regular file or a directory (symbolic and hard
/// links, devices, FIFOs, PAX global headers…); a PAX header that renames its entry
/// (<c>path</c>/<c>linkpath</c>); a name seen twice; a file not in the snapshot manifest; an entry
/// whose data runs past the end of the archive; anything after <c>backup_manifest.json</c>; and a
/// missing <c>snapshot/</c>, <c>wal/</c> or <c>backup_manifest.json</c>. Every file and directory is
/// created new (<c>O_EXCL</c>, <c>mkdir</c>) below a directory this process made, so an entry can
/// never write through a link or over something that exists.
/// </remarks>
internal sealed class BackupArchiveReader : IDisposable
{
    private const int SnapshotManifestLimit = 64 << 20;
    private const int BackupManifestLimit = 1 << 20;
    private const uint FileMode = FileModes.File; // the database writes storage.dat
    private const uint DirectoryMode = FileModes.Directory;
    private const string SchemasPrefix = BackupLayout.SnapshotSchemas;

    private readonly string _archivePath;
    private readonly string? _dataRoot;
    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private readonly StreamingCrc32 _crc = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<string> _directoriesMade = [];
    private readonly List<(SafeFileHandle Handle, string Path)> _unsynced = [];

    public BackupArchiveReader(string archivePath, string? dataRoot, SnapshotOptions options, AlignedBufferPool buffers)
    {
        _archivePath = archivePath;
        _dataRoot = dataRoot;
        _options = options;
        _buffers = buffers;
    }

    /// <summary>Checks (and, with a data root, unpacks) the whole archive.</summary>
    /// <exception cref="SnapshotException">The archive is refused: <c>AERO_METADATA_CORRUPTION</c>, <c>AERO_DATA_CORRUPTION</c> or <c>AERO_WAL_CORRUPTION</c>; or a system call failed.</exception>
    public BackupVerification Read()
    {
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
            using (var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0))
            using (var reader = new TarReader(stream, leaveOpen: true))
            {
                return ReadEntries(reader, status.Size);
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or FormatException or ArgumentException or OverflowException)
        {
            throw Metadata($"the archive is malformed or truncated: {ex.Message}");
        }
        catch (WalFrameException frame)
        {
            throw WalValidator.Corruption(_archivePath + ":" + BackupLayout.WalFile, frame);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.RestoreBackupUnpack);
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
        for (int i = _directoriesMade.Count - 1; i >= 0; i--)
        {
            NativeFile.SyncDirectory(Path.Join(_dataRoot, _directoriesMade[i]));
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

    private BackupVerification ReadEntries(TarReader reader, long archiveLength)
    {
        Expect(reader, BackupLayout.SnapshotDirectory, TarEntryType.Directory);
        SnapshotManifest manifest = ReadSnapshotManifest(Expect(reader, BackupLayout.SnapshotManifest, TarEntryType.RegularFile));

        if (_dataRoot is not null)
        {
            MakeDirectory("metadata");
            MakeDirectory(SnapshotLayout.DataSchemasPath);
            MakeDirectory("wal");
        }

        var progress = new ProgressReporter(_options.Progress, archiveLength);
        TarEntry storage = Expect(reader, BackupLayout.SnapshotStorage, TarEntryType.RegularFile);
        long bytes = CopyChecked(storage, SnapshotLayout.StorageFileName, manifest.StorageChecksum, null, progress);
        int files = 1;

        Expect(reader, BackupLayout.SnapshotSchemas, TarEntryType.Directory);
        Dictionary<string, Crc32Checksum> expected = manifest.SchemaChecksums.ToDictionary(static e => e.Path, static e => e.Checksum, StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        TarEntry? entry = Next(reader);
        while (entry is not null && entry.Name.StartsWith(SchemasPrefix, StringComparison.Ordinal))
        {
            string relative = entry.Name[SchemasPrefix.Length..];
            if (entry.EntryType == TarEntryType.Directory)
            {
                string directory = CheckRelative(entry, relative.EndsWith('/') ? relative[..^1] : relative);
                CheckParentSeen(entry, "snapshot/schemas/" + directory);
                MakeDirectory(Path.Join(SnapshotLayout.DataSchemasPath, directory));
            }
            else
            {
                CheckRelative(entry, relative);
                if (!expected.TryGetValue(relative, out Crc32Checksum checksum))
                {
                    throw Data(entry.Name, $"'{entry.Name}' is not a file the snapshot manifest lists");
                }

                CheckParentSeen(entry, entry.Name);
                bytes += CopyChecked(entry, Path.Join(SnapshotLayout.DataSchemasPath, relative), checksum, null, progress);
                found.Add(relative);
                files++;
            }

            entry = Next(reader);
        }

        foreach (string key in expected.Keys)
        {
            if (!found.Contains(key))
            {
                throw Data("snapshot/schemas/" + key, $"'snapshot/schemas/{key}', listed in the snapshot manifest, is not in the archive");
            }
        }

        Require(entry, BackupLayout.WalDirectory, TarEntryType.Directory);
        entry = Next(reader);
        WalSummary? wal = null;
        if (entry is not null && entry.Name == BackupLayout.WalFile)
        {
            Require(entry, BackupLayout.WalFile, TarEntryType.RegularFile);
            var validator = new WalFrameValidator(_archivePath + ":" + BackupLayout.WalFile, entry.Length);
            CopyChecked(entry, SnapshotLayout.WalPath, null, validator, progress);
            wal = validator.Complete();
            entry = Next(reader);
        }

        Require(entry, BackupManifest.FileName, TarEntryType.RegularFile);
        BackupManifest backupManifest = ReadBackupManifest(entry!);
        if (backupManifest.SnapshotId != manifest.SnapshotId)
        {
            throw Metadata($"{BackupManifest.FileName} names snapshot {backupManifest.SnapshotId} but the archive holds {manifest.SnapshotId}");
        }

        if (backupManifest.WalPresent != wal.HasValue)
        {
            throw Metadata($"{BackupManifest.FileName} says wal_present is {(backupManifest.WalPresent ? "true" : "false")} but the archive {(wal.HasValue ? "has" : "has no")} {BackupLayout.WalFile}");
        }

        if (Next(reader) is { } extra)
        {
            throw Metadata($"'{extra.Name}' follows {BackupManifest.FileName}, which must be the last entry");
        }

        if (_dataRoot is not null && wal is null)
        {
            // The new data directory gets an empty WAL, as a checkpoint leaves it.
            using SafeFileHandle empty = NativeFile.CreateNew(Path.Join(_dataRoot, SnapshotLayout.WalPath), FileMode);
            NativeFile.Sync(empty, Path.Join(_dataRoot, SnapshotLayout.WalPath), dataOnly: false);
        }

        return new BackupVerification(_archivePath, backupManifest, manifest, bytes, files, wal);
    }

    private TarEntry? Next(TarReader reader)
    {
        _options.CancellationToken.ThrowIfCancellationRequested();
        TarEntry? entry = reader.GetNextEntry(copyData: false);
        if (entry is null)
        {
            return null;
        }

        if (entry is PaxTarEntry pax && (pax.ExtendedAttributes.ContainsKey("path") || pax.ExtendedAttributes.ContainsKey("linkpath")))
        {
            throw Metadata($"a PAX header renames the entry '{entry.Name}'; a backup archive never does that");
        }

        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.Directory))
        {
            throw Metadata($"'{entry.Name}' is a {Describe(entry.EntryType)}; a backup archive holds only regular files and directories");
        }

        if (entry.Name.Length == 0 || entry.Name[0] == '/' || entry.Name.Contains('\0', StringComparison.Ordinal))
        {
            throw Metadata($"'{entry.Name}' is not a relative path");
        }

        foreach (string segment in entry.Name.TrimEnd('/').Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw Metadata($"'{entry.Name}' has a '{segment}' segment; a backup archive never does");
            }
        }

        if (!_seen.Add(entry.Name.TrimEnd('/')))
        {
            throw Metadata($"'{entry.Name}' appears twice in the archive");
        }

        if (entry.EntryType == TarEntryType.Directory && entry.Length != 0)
        {
            throw Metadata($"the directory '{entry.Name}' carries {entry.Length} bytes of data");
        }

        return entry;
    }

    private TarEntry Expect(TarReader reader, string name, TarEntryType type)
    {
        TarEntry? entry = Next(reader);
        Require(entry, name, type);
        return entry!;
    }

    private void Require(TarEntry? entry, string name, TarEntryType type)
    {
        if (entry is null)
        {
            throw Metadata($"the archive ends where '{name}' should be: it is not a complete backup");
        }

        bool typeMatches = type == TarEntryType.Directory
            ? entry.EntryType == TarEntryType.Directory
            : entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile;
        if (entry.Name != name || !typeMatches)
        {
            throw Metadata($"'{entry.Name}' ({Describe(entry.EntryType)}) is where the backup layout has '{name}' ({Describe(type)})");
        }
    }

    private string CheckRelative(TarEntry entry, string relative)
    {
        if (SchemaPath.Validate(relative) is { } reason)
        {
            throw Metadata($"'{entry.Name}' is not a valid schema path: {reason}");
        }

        return relative;
    }

    private void CheckParentSeen(TarEntry entry, string name)
    {
        string trimmed = name.TrimEnd('/');
        string parent = trimmed[..trimmed.LastIndexOf('/')];
        if (!_seen.Contains(parent))
        {
            throw Metadata($"'{entry.Name}' comes before its directory '{parent}/'");
        }
    }

    private SnapshotManifest ReadSnapshotManifest(TarEntry entry)
    {
        byte[] bytes = ReadSmall(entry, SnapshotManifestLimit);
        try
        {
            return SnapshotManifest.ReadUtf8(bytes);
        }
        catch (ManifestFormatException ex)
        {
            throw new SnapshotException(SnapshotErrorCode.MetadataCorruption, $"Backup '{_archivePath}': snapshot/manifest.json is invalid: {ex.Message}", SnapshotStep.Read, _archivePath, innerException: ex, rule: "a snapshot's manifest is valid and names its directory");
        }
    }

    private BackupManifest ReadBackupManifest(TarEntry entry)
    {
        byte[] bytes = ReadSmall(entry, BackupManifestLimit);
        try
        {
            return BackupManifest.ReadUtf8(bytes);
        }
        catch (ManifestFormatException ex)
        {
            throw new SnapshotException(SnapshotErrorCode.MetadataCorruption, $"Backup '{_archivePath}': {BackupManifest.FileName} is invalid: {ex.Message}", SnapshotStep.Read, _archivePath, innerException: ex);
        }
    }

    private byte[] ReadSmall(TarEntry entry, int limit)
    {
        if (entry.Length > limit)
        {
            throw Metadata($"'{entry.Name}' is {entry.Length} bytes, more than the {limit} it may have");
        }

        var bytes = new byte[entry.Length];
        int done = 0;
        Stream data = entry.DataStream ?? Stream.Null;
        while (done < bytes.Length)
        {
            int read = data.Read(bytes.AsSpan(done));
            if (read == 0)
            {
                throw Metadata($"'{entry.Name}' runs past the end of the archive: it is truncated");
            }

            done += read;
        }

        return bytes;
    }

    /// <summary>Streams an entry's data through the CRC (or the WAL frame check) and, when unpacking, into a new file.</summary>
    private long CopyChecked(TarEntry entry, string relative, Crc32Checksum? expected, WalFrameValidator? frames, ProgressReporter progress)
    {
        SafeFileHandle? destination = null;
        string? destinationPath = null;
        if (_dataRoot is not null)
        {
            destinationPath = Path.Join(_dataRoot, relative);
            destination = NativeFile.CreateNew(destinationPath, FileMode);
            _unsynced.Add((destination, destinationPath));
            if (entry.Length > 0)
            {
                NativeFile.Preallocate(destination, destinationPath, entry.Length);
            }
        }

        _crc.Reset();
        Stream data = entry.DataStream ?? Stream.Null;
        using AlignedBufferPool.Lease lease = _buffers.Rent();
        Span<byte> buffer = lease.Span;
        var writeback = new WritebackWindow(_options.WritebackWindowBytes);
        long offset = 0;
        while (offset < entry.Length)
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            int want = (int)Math.Min(buffer.Length, entry.Length - offset);
            int read = data.Read(buffer[..want]);
            if (read == 0)
            {
                throw Metadata($"'{entry.Name}' says {entry.Length} bytes but the archive ends after {offset}: it is truncated");
            }

            ReadOnlySpan<byte> chunk = buffer[..read];
            _crc.Append(chunk);
            frames?.Append(chunk);
            if (destination is not null)
            {
                try
                {
                    RandomAccess.Write(destination, chunk, offset);
                }
                catch (IOException ex)
                {
                    throw Errors.FromIOException("write", destinationPath!, ex);
                }

                writeback.OnWritten(destination, destinationPath!, offset + read);
            }

            offset += read;
            progress.Advance(read, entry.Name);
        }

        if (expected is { } checksum)
        {
            var actual = new Crc32Checksum(_crc.GetCurrentHashAsUInt32());
            if (actual != checksum)
            {
                throw Data(entry.Name, $"'{entry.Name}': the snapshot manifest records {checksum} but its {entry.Length} bytes have {actual}");
            }
        }

        return entry.Length;
    }

    private void MakeDirectory(string relative)
    {
        if (_dataRoot is null)
        {
            return; // verify-backup writes nothing
        }

        NativeFile.MakeDirectory(Path.Join(_dataRoot, relative), DirectoryMode);
        _directoriesMade.Add(relative);
    }

    private SnapshotException Metadata(string reason) => new(
        SnapshotErrorCode.MetadataCorruption,
        $"Backup '{_archivePath}' refused: {reason}.",
        SnapshotStep.Read,
        _archivePath,
        rule: "a backup archive holds exactly snapshot/, wal/ and backup_manifest.json");

    private SnapshotException Data(string entry, string reason) => new(
        SnapshotErrorCode.DataCorruption,
        $"Backup '{_archivePath}' refused: {reason}.",
        SnapshotStep.Read,
        _archivePath + ":" + entry,
        rule: "every snapshot file matches its manifest checksum");

    private static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile => "regular file",
        TarEntryType.Directory => "directory",
        TarEntryType.SymbolicLink => "symbolic link",
        TarEntryType.HardLink => "hard link",
        TarEntryType.CharacterDevice => "character device",
        TarEntryType.BlockDevice => "block device",
        TarEntryType.Fifo => "FIFO",
        TarEntryType.GlobalExtendedAttributes => "PAX global header",
        _ => $"entry of type '{(char)type}'",
    };
}
