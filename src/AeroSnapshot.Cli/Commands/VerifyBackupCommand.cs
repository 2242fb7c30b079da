using System.CommandLine;
using System.Diagnostics;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Backup;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap verify-backup &lt;file&gt;</c>: every check restore-backup makes, writing nothing.</summary>
internal static class VerifyBackupCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var file = new Argument<string>("file") { Description = "The backup archive" };
        var target = new Option<string>("--target")
        {
            Description = "The data directory a restore-backup would replace: names and paths are measured against its file system "
                + "(NAME_MAX, and PATH_MAX as restore-backup would write them) [default: any Linux file system, 255-byte names, 4096-byte paths]",
            HelpName = "data-dir",
        };
        var command = new Command(
            "verify-backup",
            "Check a backup archive exactly as restore-backup would, in the same single pass (tar headers and their checksums, "
            + "entry types and names, layout, backup_manifest.json, the snapshot manifest, every checksum, every WAL record), "
            + "without writing anything. Exits 1 when it is corrupt or hostile; an archive it passes, restore-backup restores.")
        {
            file,
            target,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string archive = Path.GetFullPath(context.ParseResult.GetRequiredValue(file));
            string? targetDirectory = context.ParseResult.GetValue(target) is { } given ? Require.ExistingDirectory(given, "target data directory") : null;
            using var manager = new SnapshotManager();
            long start = Stopwatch.GetTimestamp();
            BackupVerification result = ProgressDisplay.Run(context.Output, "verify-backup", progress => targetDirectory is null
                ? manager.VerifyBackup(archive, context.Options(progress))
                : manager.VerifyBackup(archive, targetDirectory, context.Options(progress)));
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

            long bytes = result.SnapshotBytes + (result.Wal?.Bytes ?? 0);
            context.Output.Line($"Backup {result.Manifest.BackupId} is valid: snapshot {result.Manifest.SnapshotId}, {Human.Count(result.SnapshotFiles, "file")} ({ByteSize.Format(result.SnapshotBytes)}) checksummed, "
                + (result.Wal is { } wal ? $"WAL of {Human.Count(wal.Records, "record")} ({ByteSize.Format(wal.Bytes)}) checked" : "no WAL")
                + $", in {Human.Duration(elapsed)} ({Human.Rate(bytes, elapsed)}).");
            TextReports.Unverified(context.Output, result.Unverified);
            context.Output.JsonDocument(json =>
            {
                json.WriteString("archive", result.ArchivePath);
                json.WriteBoolean("valid", true);
                json.WriteString("backup_id", result.Manifest.BackupId.ToString());
                json.WriteString("created_at", result.Manifest.CreatedAt.ToString());
                json.WriteString("snapshot_id", result.Manifest.SnapshotId.ToString());
                json.WriteBoolean("wal_present", result.Manifest.WalPresent);
                json.WriteNumber("snapshot_bytes", result.SnapshotBytes);
                json.WriteNumber("snapshot_files", result.SnapshotFiles);
                if (result.Wal is { } summary)
                {
                    json.WriteNumber("wal_records", summary.Records);
                    json.WriteNumber("wal_bytes", summary.Bytes);
                }

                JsonOutput.WriteStrings(json, "unverified", result.Unverified);

                JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
                JsonOutput.WriteRate(json, "mb_per_s", bytes, elapsed);
            });
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }
}
