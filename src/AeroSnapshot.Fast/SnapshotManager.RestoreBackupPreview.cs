using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast;

// The preview of a restore from a backup (the CLI's restore-backup --dry-run): Backup/ checks, nothing written.
public sealed partial class SnapshotManager
{
    /// <summary>
    /// What <see cref="RestoreBackup"/> would do, changing nothing: the refusals it makes before it
    /// writes (the data directory missing, its LOCK held by another process, AeroDB's running marker,
    /// two storage files and no location given), every check of the archive, and the entries of the
    /// data directory it would delete. A <c>LOCK</c> that does not exist is not created.
    /// </summary>
    internal RestoreBackupPreview PreviewRestoreBackup(string archivePath, string dataDirectory, SnapshotOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        options ??= SnapshotOptions.Default;
        BackupRestorePaths paths = BackupRestorePaths.For(dataDirectory);
        try
        {
            if (NativeFile.TryStatus(paths.DataDirectory) is not { Kind: FileKind.Directory })
            {
                throw new SnapshotException(SnapshotErrorCode.Failed, $"The data directory '{paths.DataDirectory}' does not exist or is not a directory (a symbolic link is not followed).", SnapshotStep.Prepare, paths.DataDirectory, Errno.ENOENT);
            }

            using DataDirectoryLock? held = DataDirectoryLock.AcquireIfPresent(paths.DataDirectory);
            DataDirectoryLayout.ThrowIfRunning(paths.DataDirectory, "Restore from a backup");
            DataDirectoryLayout layout = DataDirectoryLayout.Resolve(paths.DataDirectory, options.StorageLocation);
            List<string> recovered = BackupRestoreRecovery.Recover(paths, preview: true);
            BackupVerification archive = VerifyBackup(archivePath, paths.DataDirectory, options);
            List<string> deleted = [.. DirectoryListing.Read(paths.DataDirectory).Select(static entry => entry.Name ?? DirectoryListing.Printable(entry.RawName))];
            deleted.Sort(StringComparer.Ordinal);
            return new RestoreBackupPreview(
                archive,
                paths.DataDirectory,
                DataDirectoryLayout.StorageRelativePath(layout.StorageLocation).Replace(Path.DirectorySeparatorChar, '/'),
                deleted,
                recovered);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Prepare);
        }
    }
}
