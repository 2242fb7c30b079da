using System.CommandLine;
using System.Diagnostics;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Restoring;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap restore &lt;snapshot-dir&gt; &lt;target-data-dir&gt;</c>.</summary>
internal static class RestoreCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var snapshotDir = new Argument<string>("snapshot-dir") { Description = "The snapshot to restore (<data-dir>/snapshots/<id>)" };
        var targetDir = new Argument<string>("target-data-dir") { Description = "The data directory to restore into; it must exist (nothing is created otherwise)" };
        var keepWal = new Option<bool>("--keep-wal")
        {
            Description = "Keep the target's wal/ (to roll forward from the snapshot) instead of giving it an empty WAL, the snapshot's own state",
        };

        // The default used to keep the WAL and --clear-wal emptied it; the default now empties it, so
        // --clear-wal is accepted as a no-op for scripts written against the old behaviour.
        var clearWal = new Option<bool>("--clear-wal") { Description = "Accepted for compatibility; the WAL is emptied by default now", Hidden = true };
        var strict = new Option<bool>("--strict") { Description = "Refuse a snapshot holding any file its manifest does not list" };
        Option<string> storageLocation = DataPaths.StorageLocationOption("Where the restored storage file goes");
        var command = new Command(
            "restore",
            "Restore a snapshot into an existing data directory, replacing its state: storage.dat, the whole metadata/schemas tree "
            + "and an empty WAL, verified while copying. Restore never merges: only snapshots/ (and wal/ with --keep-wal) "
            + "is carried over and LOCK is recreated empty; everything else of the target is deleted with the previous data and listed. The target changes "
            + "only once the restored copy is durable, and stays as it was on failure. Takes the target's LOCK. "
            + "The storage file goes where the target keeps it (data/storage.dat in a directory AeroDB restored, else storage.dat; "
            + "--storage-location to say). Everything written gets the target's owner and group, and the modes of what it replaces "
            + "(the directory, storage.dat, wal/, LOCK); new files and directories are no wider than the target was (a 0700 one stays private). "
            + "Refused (exit 11, in use) while AeroDB's running marker <target>/.lock exists. Exits 1 when the snapshot is corrupt.")
        {
            snapshotDir,
            targetDir,
            keepWal,
            clearWal,
            strict,
            storageLocation,
            globals.DryRun,
            globals.LockWait,
        };

        command.Validators.Add(result =>
        {
            if (result.GetValue(keepWal) && result.GetValue(clearWal))
            {
                result.AddError("--keep-wal and --clear-wal contradict each other.");
            }
        });

        CommandRunner.SetBody(command, globals, context =>
        {
            string snapshot = Require.ExistingDirectory(context.ParseResult.GetRequiredValue(snapshotDir), "snapshot directory");
            string target = Path.GetFullPath(context.ParseResult.GetRequiredValue(targetDir));
            bool keep = context.ParseResult.GetValue(keepWal);
            bool strictly = context.ParseResult.GetValue(strict);

            using var manager = new SnapshotManager();
            StorageFileLocation? location = DataPaths.StorageLocation(context.ParseResult, storageLocation);
            if (context.DryRun)
            {
                return RestoreDryRun.Run(context, manager, snapshot, target, keep, strictly, location);
            }

            long start = Stopwatch.GetTimestamp();

            // The target must exist: locking it refuses a missing one (or a link, or a LOCK that is
            // not a regular file) before anything is created, and a refused restore leaves no LOCK.
            RestoreResult result = DataDirectoryLocking.WhileLocked(target, context.LockWait, () => ProgressDisplay.Run(
                context.Output,
                "restore",
                progress => manager.Restore(snapshot, target, keep, context.Options(progress, strictly, location))));
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

            Print(context.Output, result, elapsed);
            context.Output.JsonDocument(json =>
            {
                json.WriteString("snapshot_id", result.Id.ToString());
                json.WriteString("snapshot_dir", snapshot);
                json.WriteString("data_dir", result.TargetDirectory);
                json.WriteBoolean("dry_run", false);
                json.WriteNumber("bytes", result.BytesRestored);
                json.WriteNumber("files", result.FilesRestored);
                json.WriteBoolean("wal_kept", result.WalKept);
                JsonOutput.WriteStrings(json, "unverified", result.UnverifiedFiles);
                JsonOutput.WriteStrings(json, "discarded", result.Discarded);
                JsonOutput.WriteStringIfPresent(json, "cleanup_failure", result.CleanupFailure?.Message);
                JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
                JsonOutput.WriteRate(json, "mb_per_s", result.BytesRestored, elapsed);
            });
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }

    private static void Print(CliOutput output, RestoreResult result, TimeSpan elapsed)
    {
        output.Line($"Restored snapshot {result.Id} into {result.TargetDirectory}");
        output.Line($"  {Human.Count(result.FilesRestored, "file")}, {ByteSize.Format(result.BytesRestored)} in {Human.Duration(elapsed)} ({Human.Rate(result.BytesRestored, elapsed)})");
        if (result.WalKept)
        {
            output.Line("  wal/ kept (--keep-wal): the restored storage sits beside a WAL from after the snapshot");
            output.Warn($"--keep-wal: '{Path.Join(result.TargetDirectory, "wal")}' was kept; AeroDB will replay it on top of snapshot {result.Id}. Make sure it belongs to this database.");
        }
        else
        {
            output.Line("  wal/wal.log empty (a snapshot carries no WAL; --keep-wal keeps the target's)");
        }

        if (result.UnverifiedFiles.Count > 0)
        {
            output.Line($"  copied without verification ({Human.Count(result.UnverifiedFiles.Count, "file")} the manifest does not list): {string.Join(", ", result.UnverifiedFiles)}");
            output.Warn($"{Human.Count(result.UnverifiedFiles.Count, "schema file")} of snapshot {result.Id} could not be verified (not listed in its manifest) and {(result.UnverifiedFiles.Count == 1 ? "was" : "were")} restored as found.");
        }

        if (result.Discarded.Count > 0)
        {
            output.Line($"  deleted with the previous data (restore never merges): {string.Join(", ", result.Discarded)}");
        }

        if (result.CleanupFailure is { } cleanup)
        {
            output.Warn($"the restore is complete, but tidying up failed ({cleanup.Message}); run 'aerosnap clean {result.TargetDirectory}'.");
        }
    }
}
