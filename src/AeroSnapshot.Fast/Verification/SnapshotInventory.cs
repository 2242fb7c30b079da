using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Verification;

/// <summary>A regular file of a snapshot the inventory found: listed by the manifest, or tolerated unlisted.</summary>
/// <param name="RelativePath">Its path in the snapshot (<c>storage.dat</c>, <c>schemas/a/b.json</c>).</param>
/// <param name="SchemaKey">Its path under <c>schemas/</c> (its <c>schema_checksums</c> key when listed); null for <c>storage.dat</c>.</param>
/// <param name="Expected">The checksum the manifest records; null for an unlisted file, which cannot be verified.</param>
/// <param name="Size">Its size when listed (for progress only; the read decides).</param>
internal readonly record struct InventoryFile(string RelativePath, string? SchemaKey, Crc32Checksum? Expected, long Size);

/// <summary>
/// The structural half of verification: the snapshot's tree compared with its manifest, from
/// directory entries and <c>lstat</c>-level information only, before any data is read. It finds
/// missing, extra and non-regular files, and keys that would lead through a link; it yields the
/// files to read, in tree order. Only real directories are descended; a link is reported, never
/// followed, and every directory is opened relative to its parent with <c>O_NOFOLLOW</c>.
/// </summary>
/// <remarks>
/// What counts as extra: at the top level anything but <c>manifest.json</c>, <c>storage.dat</c>
/// and the <c>schemas</c> directory (an extra directory is reported once, not looked into); under
/// <c>schemas/</c> any entry that is not a directory and not a manifest key. Directories under
/// <c>schemas/</c> are not extra even when empty: creation copies the schema tree's directories,
/// empty ones included, and the manifest lists files only.
/// <para>
/// One exception, for snapshots the Rust reference wrote: it copies the whole schema tree but
/// checksums only the files directly in <c>schemas/</c>. So when the manifest lists no nested key
/// at all, a regular file below a subdirectory of <c>schemas/</c> is reported as
/// <see cref="VerificationProblemKind.Unlisted"/> (non-fatal, in <see cref="Unlisted"/>) rather than
/// as extra. A manifest that lists any nested key claims the whole tree, as this library writes
/// it, and then nothing unlisted is tolerated; neither is an unlisted file at the top of
/// <c>schemas/</c> (the reference lists all of those whose names are UTF-8) nor anything that is not a regular file.
/// The reference also copies, and cannot list, entries whose names are not UTF-8: in such a
/// snapshot a regular file or directory with such a name, at any depth under <c>schemas/</c>, is
/// unlisted too (named printably; never opened, so neither restored nor backed up).
/// Strict verification (<see cref="SnapshotOptions.Strict"/>) tolerates nothing unlisted.
/// </para>
/// </remarks>
internal sealed class SnapshotInventory
{
    private const string SchemasPrefix = SnapshotLayout.SchemasDirectoryName + "/";

    private readonly SnapshotManifest _manifest;
    private readonly bool _stopAtFirstProblem;
    private readonly bool _toleratesUnlisted;
    private readonly List<VerificationProblem> _problems;
    private readonly List<VerificationProblem> _unlisted = [];
    private readonly List<InventoryFile> _files = [];
    private readonly List<InventoryFile> _unlistedFiles = [];
    private readonly List<string> _schemaDirectories = [];
    private readonly HashSet<string> _keysFound = new(StringComparer.Ordinal);

    // Entries under schemas/ (relative to it; "" is schemas itself) that could stand where a
    // directory of a key is expected, and directories that could not be listed: a key below one of
    // them is reported for that reason instead of as plainly missing.
    private readonly Dictionary<string, FileKind> _notDirectories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unlistable = new(StringComparer.Ordinal);
    private bool _storageFound;

    private SnapshotInventory(SnapshotManifest manifest, bool stopAtFirstProblem, bool strict, List<VerificationProblem> problems)
    {
        _manifest = manifest;
        _stopAtFirstProblem = stopAtFirstProblem;
        _toleratesUnlisted = !strict && ListsTopLevelOnly(manifest.SchemaChecksums);
        _problems = problems;
    }

    /// <summary>Regular files to read, <c>storage.dat</c> first, then schema files in tree order.</summary>
    public IReadOnlyList<InventoryFile> Files => _files;

    /// <summary>Unlisted regular files tolerated under <c>schemas/</c> (see the remarks), in tree order; never verified.</summary>
    public IReadOnlyList<InventoryFile> UnlistedFiles => _unlistedFiles;

    /// <summary>One <see cref="VerificationProblemKind.Unlisted"/> finding per file of <see cref="UnlistedFiles"/>, and per entry whose name is not UTF-8 (which is in no file list).</summary>
    public IReadOnlyList<VerificationProblem> Unlisted => _unlisted;

    /// <summary>Directories under <c>schemas/</c> (relative to it), each after its parent.</summary>
    public IReadOnlyList<string> SchemaDirectories => _schemaDirectories;

    /// <summary>Bytes in the listed files to read, as listed.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Bytes in <see cref="UnlistedFiles"/>, as listed.</summary>
    public long UnlistedBytes { get; private set; }

    private bool Stopped => _stopAtFirstProblem && _problems.Count > 0;

    /// <summary>
    /// Takes the inventory of the snapshot open at <paramref name="snapshot"/>, appending problems
    /// to <paramref name="problems"/>.
    /// </summary>
    public static SnapshotInventory Take(DirectoryHandle snapshot, SnapshotManifest manifest, bool stopAtFirstProblem, bool strict, List<VerificationProblem> problems)
    {
        var inventory = new SnapshotInventory(manifest, stopAtFirstProblem, strict, problems);
        using var chain = new DirectoryChain(snapshot);
        inventory.Walk(chain);
        return inventory;
    }

    private void Walk(DirectoryChain chain)
    {
        bool schemasIsDirectory = WalkTopLevel(chain);
        if (schemasIsDirectory && !Stopped)
        {
            WalkSchemas(chain);
        }

        if (!Stopped)
        {
            ReportMissing(schemasIsDirectory);
        }

        foreach (InventoryFile file in _files)
        {
            TotalBytes += file.Size;
        }

        foreach (InventoryFile file in _unlistedFiles)
        {
            UnlistedBytes += file.Size;
        }
    }

    internal static bool ListsTopLevelOnly(ChecksumMap keys)
    {
        foreach (ChecksumEntry entry in keys)
        {
            if (entry.Path.Contains('/', StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks the top level; returns true when <c>schemas</c> is a real directory.</summary>
    private bool WalkTopLevel(DirectoryChain chain)
    {
        DirectoryHandle root = chain.OpenDirectory(string.Empty);
        List<DirectoryListing.Entry> entries;
        try
        {
            entries = root.List();
        }
        catch (NativeIOException ex)
        {
            Add(new VerificationProblem(VerificationProblemKind.Unreadable, ".", ex.Message, Errno: ex.Errno));
            return false;
        }

        entries.Sort(static (a, b) => a.RawName.AsSpan().SequenceCompareTo(b.RawName));
        bool schemasIsDirectory = false;
        foreach (DirectoryListing.Entry entry in entries)
        {
            if (Stopped)
            {
                break;
            }

            if (entry.Name is null)
            {
                Add(Extra(DirectoryListing.Printable(entry.RawName), "a file name that is not valid UTF-8"));
                continue;
            }

            if (entry.Name == SnapshotManifest.FileName)
            {
                continue;
            }

            if (!TryStatus(root, entry.Name, entry.Name, out FileStatus? status) || status is not { } found)
            {
                continue;
            }

            if (entry.Name == SnapshotLayout.StorageFileName)
            {
                _storageFound = true;
                if (found.Kind == FileKind.Regular)
                {
                    _files.Insert(0, new InventoryFile(entry.Name, null, _manifest.StorageChecksum, found.Size));
                }
                else
                {
                    Add(NotRegular(entry.Name, found.Kind));
                }
            }
            else if (entry.Name == SnapshotLayout.SchemasDirectoryName)
            {
                if (found.Kind == FileKind.Directory)
                {
                    schemasIsDirectory = true;
                }
                else
                {
                    _notDirectories[string.Empty] = found.Kind;
                    Add(Extra(entry.Name, $"{FileStatus.Describe(found.Kind)} where the schema directory should be{NotFollowed(found.Kind)}"));
                }
            }
            else
            {
                Add(Extra(entry.Name, found.Kind == FileKind.Directory
                    ? "a directory the manifest does not list (not looked into)"
                    : $"{FileStatus.Describe(found.Kind)} the manifest does not list{NotFollowed(found.Kind)}"));
            }
        }

        return schemasIsDirectory;
    }

    private void WalkSchemas(DirectoryChain chain)
    {
        // An explicit stack: deep trees must not depend on the thread's stack size. Directories
        // are opened through the chain, so only the current path's directories are held open.
        var pending = new Stack<string>();
        pending.Push(string.Empty);
        while (pending.Count > 0 && !Stopped)
        {
            string relative = pending.Pop();
            string inSnapshot = relative.Length == 0 ? SnapshotLayout.SchemasDirectoryName : SchemasPrefix + relative;
            List<DirectoryListing.Entry> entries;
            DirectoryHandle directory;
            try
            {
                directory = chain.OpenDirectory(inSnapshot);
                entries = directory.List();
            }
            catch (NativeIOException ex)
            {
                _unlistable.Add(relative);
                Add(new VerificationProblem(VerificationProblemKind.Unreadable, inSnapshot, ex.Message, Errno: ex.Errno));
                continue;
            }

            entries.Sort(static (a, b) => a.RawName.AsSpan().SequenceCompareTo(b.RawName));
            var subdirectories = new List<string>();
            foreach (DirectoryListing.Entry entry in entries)
            {
                if (Stopped)
                {
                    return;
                }

                if (entry.Name is null)
                {
                    NotUtf8(directory, inSnapshot + "/" + DirectoryListing.Printable(entry.RawName), entry.RawName);
                    continue;
                }

                string childRelative = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                string childInSnapshot = SchemasPrefix + childRelative;
                if (!TryStatus(directory, entry.Name, childInSnapshot, out FileStatus? status) || status is not { } found)
                {
                    continue;
                }

                bool listed = _manifest.SchemaChecksums.TryGetValue(childRelative, out Crc32Checksum expected);
                if (listed)
                {
                    _keysFound.Add(childRelative);
                }

                if (found.Kind == FileKind.Directory)
                {
                    // Looked into even when it stands where a listed file should be: what is in it is extra.
                    if (listed)
                    {
                        Add(NotRegular(childInSnapshot, found.Kind));
                    }

                    _schemaDirectories.Add(childRelative);
                    subdirectories.Add(childRelative);
                    continue;
                }

                _notDirectories[childRelative] = found.Kind;

                if (listed && found.Kind == FileKind.Regular)
                {
                    _files.Add(new InventoryFile(childInSnapshot, childRelative, expected, found.Size));
                }
                else if (listed)
                {
                    Add(NotRegular(childInSnapshot, found.Kind));
                }
                else if (found.Kind == FileKind.Regular && relative.Length > 0 && _toleratesUnlisted)
                {
                    _unlistedFiles.Add(new InventoryFile(childInSnapshot, childRelative, null, found.Size));
                    _unlisted.Add(new VerificationProblem(
                        VerificationProblemKind.Unlisted,
                        childInSnapshot,
                        $"{childInSnapshot} is not listed in the manifest, which lists top-level schema files only (as the reference implementation writes it); it was not verified."));
                }
                else
                {
                    Add(Extra(childInSnapshot, $"{FileStatus.Describe(found.Kind)} the manifest does not list{NotFollowed(found.Kind)}"));
                }
            }

            // Pushed in reverse so directories are visited, and files listed, in name order.
            for (int i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push(subdirectories[i]);
            }
        }
    }

    /// <summary>
    /// An entry under <c>schemas/</c> whose name is not UTF-8. The reference copies such a file or
    /// directory with the rest of the tree but cannot name it in the manifest (its keys are
    /// strings), so in a snapshot that may be the reference's it is an unlisted finding, at the top
    /// of <c>schemas/</c> as below it: not verified, and left out by restore and backup, which carry
    /// names as text. Anything else, or in a snapshot that claims the whole tree, is extra.
    /// </summary>
    private void NotUtf8(DirectoryHandle directory, string printable, byte[] rawName)
    {
        FileStatus? status;
        try
        {
            status = directory.TryStatus(rawName);
        }
        catch (NativeIOException ex)
        {
            Add(new VerificationProblem(VerificationProblemKind.Unreadable, printable, ex.Message, Errno: ex.Errno));
            return;
        }

        if (status is not { Kind: FileKind.Regular or FileKind.Directory } found)
        {
            if (status is { } other)
            {
                Add(Extra(printable, $"{FileStatus.Describe(other.Kind)} whose name is not valid UTF-8{NotFollowed(other.Kind)}"));
            }

            return;
        }

        if (!_toleratesUnlisted)
        {
            Add(Extra(printable, "a file name that is not valid UTF-8"));
            return;
        }

        _unlisted.Add(new VerificationProblem(
            VerificationProblemKind.Unlisted,
            printable,
            found.Kind == FileKind.Directory
                ? $"{printable} is a directory whose name is not UTF-8, which the manifest cannot list (as the reference implementation writes it); it was not looked into or verified, and restore and backup leave it out."
                : $"{printable} has a name that is not UTF-8, which the manifest cannot list (as the reference implementation writes it); it was not verified, and restore and backup leave it out."));
    }

    private void ReportMissing(bool schemasIsDirectory)
    {
        if (!_storageFound)
        {
            Add(new VerificationProblem(VerificationProblemKind.FileMissing, SnapshotLayout.StorageFileName, $"{SnapshotLayout.StorageFileName} does not exist."));
        }

        foreach (ChecksumEntry entry in _manifest.SchemaChecksums)
        {
            if (Stopped)
            {
                return;
            }

            if (_keysFound.Contains(entry.Path))
            {
                continue;
            }

            string inSnapshot = SchemasPrefix + entry.Path;
            if (BlockedBy(entry.Path, schemasIsDirectory) is { } blocker)
            {
                if (blocker.Unlistable)
                {
                    continue; // already reported as unreadable: nothing is known about it
                }

                string where = blocker.Directory.Length == 0 ? SnapshotLayout.SchemasDirectoryName : SchemasPrefix + blocker.Directory;
                Add(blocker.Kind == FileKind.SymbolicLink
                    ? new VerificationProblem(VerificationProblemKind.PathOutsideSnapshot, inSnapshot, $"{inSnapshot} was not read: {where} is a symbolic link, and following it could leave the snapshot.", entry.Checksum)
                    : new VerificationProblem(VerificationProblemKind.FileMissing, inSnapshot, $"{inSnapshot} does not exist: {where} is {FileStatus.Describe(blocker.Kind)}, not a directory.", entry.Checksum));
                continue;
            }

            Add(new VerificationProblem(VerificationProblemKind.FileMissing, inSnapshot, $"{inSnapshot} does not exist.", entry.Checksum));
        }
    }

    /// <summary>The first directory of <paramref name="key"/> (schemas itself first) that stood in the way.</summary>
    private (string Directory, FileKind Kind, bool Unlistable)? BlockedBy(string key, bool schemasIsDirectory)
    {
        if (!schemasIsDirectory)
        {
            return _notDirectories.TryGetValue(string.Empty, out FileKind rootKind)
                ? (string.Empty, rootKind, false)
                : null;
        }

        if (_unlistable.Contains(string.Empty))
        {
            return (string.Empty, FileKind.Directory, true);
        }

        for (int slash = key.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = key.IndexOf('/', slash + 1))
        {
            string directory = key[..slash];
            if (_unlistable.Contains(directory))
            {
                return (directory, FileKind.Directory, true);
            }

            if (_notDirectories.TryGetValue(directory, out FileKind kind))
            {
                return (directory, kind, false);
            }
        }

        return null;
    }

    private bool TryStatus(DirectoryHandle directory, string name, string inSnapshot, out FileStatus? status)
    {
        try
        {
            status = directory.TryStatus(name);
            return true;
        }
        catch (NativeIOException ex)
        {
            Add(new VerificationProblem(VerificationProblemKind.Unreadable, inSnapshot, ex.Message, Errno: ex.Errno));
            status = null;
            return false;
        }
    }

    private void Add(VerificationProblem problem)
    {
        if (!Stopped)
        {
            _problems.Add(problem);
        }
    }

    private static VerificationProblem Extra(string path, string what)
        => new(VerificationProblemKind.ExtraFile, path, $"{path} is {what}.");

    private static VerificationProblem NotRegular(string path, FileKind kind)
        => new(VerificationProblemKind.NotARegularFile, path, $"{path} is {FileStatus.Describe(kind)}, not a regular file; it was not opened{NotFollowed(kind)}.");

    private static string NotFollowed(FileKind kind) => kind == FileKind.SymbolicLink ? " (not followed)" : string.Empty;
}
