using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast;

/// <summary>
/// Where the parts of one AeroDB data directory live: the storage file (at the top, or under
/// <c>data/</c> as AeroDB's own restore writes it), the schema tree, the WAL, <c>snapshots/</c>, and
/// AeroDB's running marker <c>.lock</c>. One description, used by every operation that reads or
/// writes a data directory, so a directory restored by AeroDB can be snapshotted, backed up and
/// restored here, and a directory restored here is read by AeroDB where it reads it.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Detect"/> finds the storage file's place from the directory itself, without
/// following a link: <c>storage.dat</c> at the top → <see cref="StorageFileLocation.TopLevel"/>;
/// else <c>data/storage.dat</c>, or a <c>data/</c> directory without it (a directory AeroDB's
/// <c>init</c> made) → <see cref="StorageFileLocation.DataSubdirectory"/>; else (a new or empty
/// directory) <see cref="StorageFileLocation.TopLevel"/>, the place the reference's snapshot reads
/// by default. A directory that holds both storage files is refused rather than guessed at: which
/// one the database reads is its configuration's business, and copying the wrong one would take a
/// snapshot of stale data. <see cref="For"/> (and <see cref="SnapshotOptions.StorageLocation"/>,
/// the CLI's <c>--storage-location</c>) says it explicitly instead.
/// </para>
/// </remarks>
public sealed class DataDirectoryLayout
{
    /// <summary><c>data</c>: the directory AeroDB's restore puts the storage file in.</summary>
    public const string DataSubdirectoryName = "data";

    /// <summary>
    /// <c>.lock</c>: AeroDB's "running" marker. AeroDB's restore refuses to run while it exists, and
    /// so do restore, restore from a backup and a checkpoint run from outside the database here. It
    /// is not the <see cref="DataDirectoryLock"/> file (<c>LOCK</c>), which is locked, not merely present.
    /// </summary>
    public const string RunningMarkerFileName = ".lock";

    private DataDirectoryLayout(string dataDirectory, StorageFileLocation location)
    {
        DataDirectory = dataDirectory;
        StorageLocation = location;
    }

    /// <summary>The data directory (absolute, no trailing separator).</summary>
    public string DataDirectory { get; }

    /// <summary>Where the storage file is.</summary>
    public StorageFileLocation StorageLocation { get; }

    /// <summary>The storage file.</summary>
    public string StorageFilePath => Path.Join(DataDirectory, StorageRelativePath(StorageLocation));

    /// <summary>The schema tree, <c>metadata/schemas</c>.</summary>
    public string SchemaDirectory => Path.Join(DataDirectory, SnapshotLayout.DataSchemasPath);

    /// <summary>The WAL, <c>wal/wal.log</c>.</summary>
    public string WalPath => Path.Join(DataDirectory, SnapshotLayout.WalPath);

    /// <summary>The snapshots, <c>snapshots/</c>.</summary>
    public string SnapshotsDirectory => Path.Join(DataDirectory, SnapshotLayout.SnapshotsDirectoryName);

    /// <summary>AeroDB's running marker, <c>.lock</c>.</summary>
    public string RunningMarkerPath => Path.Join(DataDirectory, RunningMarkerFileName);

    /// <summary>The storage file's path relative to the data directory: <c>storage.dat</c> or <c>data/storage.dat</c>.</summary>
    public static string StorageRelativePath(StorageFileLocation location) => location switch
    {
        StorageFileLocation.TopLevel => SnapshotLayout.StorageFileName,
        StorageFileLocation.DataSubdirectory => Path.Join(DataSubdirectoryName, SnapshotLayout.StorageFileName),
        _ => throw new ArgumentOutOfRangeException(nameof(location), location, "not a storage file location"),
    };

    /// <summary>The layout of <paramref name="dataDirectory"/> with the storage file at <paramref name="location"/>, whatever is on disk.</summary>
    public static DataDirectoryLayout For(string dataDirectory, StorageFileLocation location)
    {
        _ = StorageRelativePath(location);
        return new DataDirectoryLayout(Normalize(dataDirectory), location);
    }

    /// <summary>The layout found in <paramref name="dataDirectory"/> itself (see the remarks); links are not followed.</summary>
    /// <exception cref="SnapshotException"><c>AERO_SNAPSHOT_FAILED</c>: the directory holds a storage file in both places.</exception>
    public static DataDirectoryLayout Detect(string dataDirectory)
    {
        string directory = Normalize(dataDirectory);
        string top = Path.Join(directory, SnapshotLayout.StorageFileName);
        string nested = Path.Join(directory, StorageRelativePath(StorageFileLocation.DataSubdirectory));
        FileStatus? topStatus;
        FileStatus? nestedStatus;
        FileStatus? dataStatus;
        try
        {
            topStatus = NativeFile.TryStatus(top);
            dataStatus = NativeFile.TryStatus(Path.Join(directory, DataSubdirectoryName));
            nestedStatus = dataStatus is { Kind: FileKind.Directory } ? NativeFile.TryStatus(nested) : null;
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Prepare);
        }

        if (topStatus is not null && nestedStatus is not null)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The data directory '{directory}' holds two storage files, '{top}' and '{nested}', and which one the database reads cannot be told from the directory; say which (--storage-location top|data, or SnapshotOptions.StorageLocation). Nothing was changed.",
                SnapshotStep.Prepare,
                directory,
                rule: "a data directory has one storage file");
        }

        StorageFileLocation location = topStatus is null && dataStatus is { Kind: FileKind.Directory }
            ? StorageFileLocation.DataSubdirectory
            : StorageFileLocation.TopLevel;
        return new DataDirectoryLayout(directory, location);
    }

    /// <summary><see cref="For"/> when <paramref name="location"/> is given, else <see cref="Detect"/>.</summary>
    /// <exception cref="SnapshotException">As <see cref="Detect"/>.</exception>
    public static DataDirectoryLayout Resolve(string dataDirectory, StorageFileLocation? location)
        => location is { } given ? For(dataDirectory, given) : Detect(dataDirectory);

    /// <summary>
    /// Refuses, naming the file, while AeroDB's running marker <c>.lock</c> exists in the data
    /// directory (anything at that name: a link counts and is not followed).
    /// </summary>
    internal static void ThrowIfRunning(string dataDirectory, string operation)
    {
        string path = Path.Join(Normalize(dataDirectory), RunningMarkerFileName);
        FileStatus? marker;
        try
        {
            marker = NativeFile.TryStatus(path);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.CheckLock);
        }

        if (marker is { } status)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"AeroDB's running marker '{path}' exists ({FileStatus.Describe(status.Kind)}): AeroDB appears to be running on '{Path.GetDirectoryName(path)}'. {operation} refuses while it is there, as AeroDB's own restore does; stop AeroDB (or, if it is not running, remove the marker it left) and try again. Nothing was changed.",
                SnapshotStep.CheckLock,
                path,
                rule: "a data directory is not restored or checkpointed from outside while AeroDB runs on it");
        }
    }

    private static string Normalize(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
    }
}
