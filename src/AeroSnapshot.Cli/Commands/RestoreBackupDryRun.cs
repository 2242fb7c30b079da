using System.Diagnostics;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Backup;

namespace AeroSnapshot.Cli.Commands;

/// <summary>
/// <c>aerosnap restore-backup --dry-run</c>: every check the restore makes before it writes (the
/// whole archive, the data directory's LOCK and running marker, where the storage file goes) and
/// the entries of the data directory it would delete, with nothing changed and no LOCK created.
/// </summary>
internal static class RestoreBackupDryRun
{
    public static int Run(CommandContext context, SnapshotManager manager, string archive, string directory, StorageFileLocation? location)
    {
        long start = Stopwatch.GetTimestamp();
        RestoreBackupPreview preview = ProgressDisplay.Run(
            context.Output,
            "verify-backup",
            progress => context.LockWait.Retry(() => manager.PreviewRestoreBackup(archive, directory, context.Options(progress, storageLocation: location))));
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

        BackupVerification checkedArchive = preview.Archive;
        IReadOnlyList<string> written = [preview.StorageFile, "metadata/schemas", "wal/wal.log"];
        CliOutput output = context.Output;
        output.Line($"Restoring backup {checkedArchive.Manifest.BackupId} (snapshot {checkedArchive.Manifest.SnapshotId}) into {preview.DataDirectory} would (--dry-run: nothing was changed):");
        foreach (string recovered in preview.Recovered)
        {
            output.Line($"  first finish or undo  {recovered}");
        }

        output.Line($"  delete   {(preview.Deleted.Count == 0 ? "nothing (the directory is empty)" : string.Join(", ", preview.Deleted))} (the whole data directory: nothing of it is kept)");
        output.Line($"  write    {string.Join(", ", written)} ({Human.Count(checkedArchive.SnapshotFiles, "file")}, {ByteSize.Format(checkedArchive.SnapshotBytes)} checksummed; "
            + (checkedArchive.Wal is { } wal ? $"WAL {Human.Count(wal.Records, "record")})" : "an empty WAL: the backup has none)"));
        output.JsonDocument(json =>
        {
            json.WriteString("archive", checkedArchive.ArchivePath);
            json.WriteString("data_dir", preview.DataDirectory);
            json.WriteBoolean("dry_run", true);
            json.WriteString("backup_id", checkedArchive.Manifest.BackupId.ToString());
            json.WriteString("snapshot_id", checkedArchive.Manifest.SnapshotId.ToString());
            json.WriteBoolean("wal_present", checkedArchive.Manifest.WalPresent);
            json.WriteNumber("snapshot_bytes", checkedArchive.SnapshotBytes);
            json.WriteNumber("snapshot_files", checkedArchive.SnapshotFiles);
            json.WriteNumber("wal_bytes", checkedArchive.Wal?.Bytes ?? 0);
            JsonOutput.WriteStrings(json, "replaced", written);
            JsonOutput.WriteStrings(json, "discarded", preview.Deleted);
            JsonOutput.WriteStrings(json, "recovered", preview.Recovered);
            JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
        });
        return ExitCodes.Success;
    }
}
