using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Restoring;

/// <summary>
/// The data directory a restore replaces, as it was before: where its storage file is (so the new
/// one goes where its database reads it), its owner, and the modes of what it held, which the
/// restored directory inherits. Shared by the restore from a snapshot and the one from a backup, so
/// both leave the same owner, modes and layout.
/// </summary>
internal sealed record ReplacedDirectory(
    uint Permissions,
    RestoredModes Modes,
    uint MetadataPermissions,
    RestoredStorage Storage,
    bool HasWal,
    uint WalPermissions,
    uint WalFilePermissions,
    uint? LockPermissions)
{
    private const string MetadataName = "metadata";
    private const string WalName = "wal";

    /// <summary>
    /// Looks at the data directory <paramref name="path"/> (whose own status is <paramref name="status"/>);
    /// the storage file's place is <paramref name="location"/>, or found in the directory.
    /// </summary>
    /// <exception cref="SnapshotException">The directory holds two storage files and <paramref name="location"/> is null.</exception>
    public static ReplacedDirectory Inspect(string path, FileStatus status, StorageFileLocation? location)
    {
        var modes = RestoredModes.Of(status);
        DataDirectoryLayout layout = DataDirectoryLayout.Resolve(path, location);
        FileStatus? metadata = NativeFile.TryStatus(Path.Join(path, MetadataName));
        FileStatus? storage = NativeFile.TryStatus(layout.StorageFilePath);
        FileStatus? data = NativeFile.TryStatus(Path.Join(path, DataDirectoryLayout.DataSubdirectoryName));
        FileStatus? wal = NativeFile.TryStatus(Path.Join(path, WalName));
        FileStatus? walFile = NativeFile.TryStatus(Path.Join(path, SnapshotLayout.WalPath));
        FileStatus? lockFile = NativeFile.TryStatus(Path.Join(path, DataDirectoryLock.FileName));
        return new ReplacedDirectory(
            status.Permissions,
            modes,
            metadata is { Kind: FileKind.Directory } ? metadata.Value.Permissions : modes.NewDirectory,
            new RestoredStorage(
                layout.StorageLocation,
                storage is { Kind: FileKind.Regular } ? storage.Value.Permissions : modes.NewFile,
                data is { Kind: FileKind.Directory } ? data.Value.Permissions : modes.NewDirectory),
            wal is not null,
            wal is { Kind: FileKind.Directory } ? wal.Value.Permissions : modes.NewDirectory,
            walFile is { Kind: FileKind.Regular } ? walFile.Value.Permissions : modes.NewFile,
            lockFile is { Kind: FileKind.Regular } ? lockFile.Value.Permissions : null);
    }

    /// <summary>
    /// The mode of an entry of the restored directory, by its path relative to it (<c>/</c>
    /// separators; empty for the directory itself): what the replaced entry of that name had, or
    /// the <see cref="RestoredModes"/> of a new one.
    /// </summary>
    public uint ModeFor(string relativePath, bool directory)
    {
        if (relativePath.Length == 0)
        {
            return Permissions;
        }

        if (relativePath == DataDirectoryLayout.StorageRelativePath(Storage.Location).Replace(Path.DirectorySeparatorChar, '/'))
        {
            return Storage.Permissions;
        }

        return relativePath switch
        {
            MetadataName => MetadataPermissions,
            DataDirectoryLayout.DataSubdirectoryName when directory => Storage.DirectoryPermissions,
            WalName when directory => WalPermissions,
            "wal/wal.log" when !directory => WalFilePermissions,
            _ => directory ? Modes.NewDirectory : Modes.NewFile,
        };
    }
}
