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
        var command = new Command(
            "verify-backup",
            "Check a backup archive exactly as restore-backup would (layout, entry types and names, backup_manifest.json, "
            + "the snapshot manifest, every checksum, every WAL record) without writing anything. Exits 1 when it is corrupt or hostile.")
        {
            file,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string archive = Path.GetFullPath(context.ParseResult.GetRequiredValue(file));
            using var manager = new SnapshotManager();
            long start = Stopwatch.GetTimestamp();
            BackupVerification result = ProgressDisplay.Run(context.Output, "verify-backup", progress => manager.VerifyBackup(archive, context.Options(progress)));
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

            long bytes = result.SnapshotBytes + (result.Wal?.Bytes ?? 0);
            context.Output.Line($"Backup {result.Manifest.BackupId} is valid: snapshot {result.Manifest.SnapshotId}, {Human.Count(result.SnapshotFiles, "file")} ({ByteSize.Format(result.SnapshotBytes)}) checksummed, "
                + (result.Wal is { } wal ? $"WAL of {Human.Count(wal.Records, "record")} ({ByteSize.Format(wal.Bytes)}) checked" : "no WAL")
                + $", in {Human.Duration(elapsed)} ({Human.Rate(bytes, elapsed)}).");
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

                JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
                JsonOutput.WriteRate(json, "mb_per_s", bytes, elapsed);
            });
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }
}
