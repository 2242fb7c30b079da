using System.CommandLine;
using System.Diagnostics;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Backup;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap restore-backup &lt;file&gt; &lt;data-dir&gt;</c>: validate everything, then swap the whole data directory.</summary>
internal static class RestoreBackupCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var file = new Argument<string>("file") { Description = "The backup archive" };
        var dataDir = new Argument<string>("data-dir") { Description = "The data directory to replace (it must exist; the database must not be running)" };
        Option<string> storageLocation = DataPaths.StorageLocationOption("Where the restored storage file goes");
        var command = new Command(
            "restore-backup",
            "Replace a data directory with a backup: checks its LOCK is free and that no other restore-backup into it is running, "
            + "unpacks and validates the whole archive into "
            + "<data-dir>.restore-backup-tmp beside it, fsyncs it, then swaps it in atomically and deletes the old data. "
            + "Destructive: nothing of the old data directory is kept. A refused archive leaves the data directory untouched "
            + "(exit 1); 'aerosnap clean' finishes or undoes an interrupted restore. The storage file goes where the data directory keeps it "
            + "(data/storage.dat in a directory AeroDB restored, else storage.dat; --storage-location to say). Everything written gets the data "
            + "directory's owner and group, and the modes of what it replaces (the directory, storage.dat, wal/); new files and directories are "
            + "no wider than the data directory was (a 0700 one stays private). Refused (exit 11, in use) while AeroDB's running marker <data-dir>/.lock exists.")
        {
            file,
            dataDir,
            storageLocation,
            globals.DryRun,
            globals.LockWait,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string archive = Path.GetFullPath(context.ParseResult.GetRequiredValue(file));
            string directory = Require.ExistingDirectory(context.ParseResult.GetRequiredValue(dataDir), "data directory");

            // The library takes the data directory's LOCK itself (a second flock from this process
            // would conflict with it), and holds it until the swap is done.
            using var manager = new SnapshotManager();
            if (context.DryRun)
            {
                return RestoreBackupDryRun.Run(context, manager, archive, directory, DataPaths.StorageLocation(context.ParseResult, storageLocation));
            }

            long start = Stopwatch.GetTimestamp();
            BackupRestoreResult result = ProgressDisplay.Run(context.Output, "restore-backup", progress => context.LockWait.Retry(() => manager.RestoreBackup(archive, directory, context.Options(progress, storageLocation: DataPaths.StorageLocation(context.ParseResult, storageLocation)))));
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

            long bytes = result.SnapshotBytes + (result.Wal?.Bytes ?? 0);
            context.Output.Line($"Restored backup {result.Manifest.BackupId} (snapshot {result.Manifest.SnapshotId}) into {directory}");
            context.Output.Line($"  {Human.Count(result.SnapshotFiles, "file")}, {ByteSize.Format(result.SnapshotBytes)} checksummed; "
                + (result.Wal is { } wal ? $"wal/wal.log {Human.Count(wal.Records, "record")}, {ByteSize.Format(wal.Bytes)}" : "wal/wal.log empty (the backup had none)"));
            TextReports.Unverified(context.Output, result.Unverified);
            context.Output.Line($"  took {Human.Duration(elapsed)} ({Human.Rate(bytes, elapsed)})");
            context.Output.JsonDocument(json =>
            {
                json.WriteString("archive", result.Archive.ArchivePath);
                json.WriteString("data_dir", directory);
                json.WriteBoolean("dry_run", false);
                json.WriteString("backup_id", result.Manifest.BackupId.ToString());
                json.WriteString("snapshot_id", result.Manifest.SnapshotId.ToString());
                json.WriteBoolean("wal_present", result.Manifest.WalPresent);
                json.WriteNumber("snapshot_bytes", result.SnapshotBytes);
                json.WriteNumber("snapshot_files", result.SnapshotFiles);
                json.WriteNumber("wal_bytes", result.Wal?.Bytes ?? 0);
                JsonOutput.WriteStrings(json, "unverified", result.Unverified);
                JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
                JsonOutput.WriteRate(json, "mb_per_s", bytes, elapsed);
            });
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }
}
