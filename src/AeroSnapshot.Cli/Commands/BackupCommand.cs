using System.CommandLine;
using System.Diagnostics;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Discovery;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap backup &lt;data-dir&gt; --output &lt;file&gt;</c>: one portable, deterministic tar.</summary>
internal static class BackupCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var dataDir = new Argument<string>("data-dir") { Description = "The AeroDB data directory" };
        var output = new Option<string>("--output", "-o") { Description = "The archive to create; an existing file is never replaced", HelpName = "file", Required = true };
        var wal = new Option<string>("--wal") { Description = "The WAL [default: <data-dir>/wal/wal.log, left out when it does not exist; a --wal that does not exist is an error]", HelpName = "path" };
        var command = new Command(
            "backup",
            "Write the newest valid snapshot (as verify and discovery judge it; never one older than the snapshot checkpoint.json "
            + "names, which the WAL continues), the WAL and backup_manifest.json into one tar file (deterministic: the same "
            + "snapshot and WAL give the same bytes but for the manifest's own fields). Every snapshot file is checked against "
            + "its checksum and every WAL record as AeroDB's reader reads it, as it is packed; the archive is fsynced and published with a "
            + "no-replace rename. Takes the data directory's LOCK.")
        {
            dataDir,
            output,
            wal,
            globals.LockWait,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string directory = Require.ExistingDirectory(context.ParseResult.GetRequiredValue(dataDir), "data directory");
            string archive = Path.GetFullPath(context.ParseResult.GetRequiredValue(output));
            string? walPath = context.ParseResult.GetValue(wal) is { } given ? Path.GetFullPath(given) : null;
            using var manager = new SnapshotManager();
            var executionLock = new GlobalExecutionLock();
            long start = Stopwatch.GetTimestamp();
            BackupResult result = DataDirectoryLocking.WhileLocked(directory, context.LockWait, () => ProgressDisplay.Run(context.Output, "backup", progress =>
            {
                using (executionLock.Acquire())
                {
                    return manager.Backup(directory, archive, walPath, executionLock, context.Options(progress));
                }
            }));
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

            foreach (SkippedSnapshot skipped in result.Skipped)
            {
                context.Output.Warn($"snapshot {skipped.Id} skipped ({skipped.Code}): {(skipped.Problems.Count > 0 ? skipped.Problems[0].Message : string.Empty)}");
            }

            long packed = result.SnapshotBytes + result.WalBytes;
            context.Output.Line($"Backup {result.Manifest.BackupId} of snapshot {result.Manifest.SnapshotId}");
            context.Output.Line($"  archive  {result.ArchivePath} ({ByteSize.Format(result.ArchiveBytes)})");
            context.Output.Line(result.UnverifiedFiles.Count == 0
                ? $"  snapshot {Human.Count(result.SnapshotFiles, "file")}, {ByteSize.Format(result.SnapshotBytes)}, every checksum verified"
                : $"  snapshot {Human.Count(result.SnapshotFiles, "file")}, {ByteSize.Format(result.SnapshotBytes)}, every listed checksum verified; {Human.Count(result.UnverifiedFiles.Count, "file")} the manifest does not list packed unverified (a reference-written snapshot):");
            foreach (string unverified in result.UnverifiedFiles)
            {
                context.Output.Line($"    {unverified}");
            }

            foreach (string leftOut in result.LeftOut)
            {
                context.Output.Warn($"{leftOut} is not in the archive: its name is not UTF-8 (unlisted in the snapshot's manifest, not verified)");
            }

            context.Output.Line(result.Manifest.WalPresent ? $"  wal      {ByteSize.Format(result.WalBytes)}, every record verified" : "  wal      none (no WAL file)");
            context.Output.Line($"  took     {Human.Duration(elapsed)} ({Human.Rate(packed, elapsed)})");
            context.Output.JsonDocument(json =>
            {
                json.WriteString("data_dir", directory);
                json.WriteString("backup_id", result.Manifest.BackupId.ToString());
                json.WriteString("created_at", result.Manifest.CreatedAt.ToString());
                json.WriteString("snapshot_id", result.Manifest.SnapshotId.ToString());
                json.WriteBoolean("wal_present", result.Manifest.WalPresent);
                json.WriteString("archive", result.ArchivePath);
                json.WriteNumber("archive_bytes", result.ArchiveBytes);
                json.WriteNumber("snapshot_bytes", result.SnapshotBytes);
                json.WriteNumber("snapshot_files", result.SnapshotFiles);
                json.WriteNumber("wal_bytes", result.WalBytes);
                json.WriteStartArray("unverified");
                foreach (string unverified in result.UnverifiedFiles)
                {
                    json.WriteStringValue(unverified);
                }

                json.WriteEndArray();
                json.WriteStartArray("left_out");
                foreach (string leftOut in result.LeftOut)
                {
                    json.WriteStringValue(leftOut);
                }

                json.WriteEndArray();
                NewestCommand.WriteSkipped(json, "skipped", result.Skipped);
                JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
                JsonOutput.WriteRate(json, "mb_per_s", packed, elapsed);
            });
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }
}
