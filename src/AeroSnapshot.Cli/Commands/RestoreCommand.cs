using System.CommandLine;
using System.Diagnostics;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap restore &lt;snapshot-dir&gt; &lt;target-data-dir&gt;</c>.</summary>
internal static class RestoreCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var snapshotDir = new Argument<string>("snapshot-dir") { Description = "The snapshot to restore (<data-dir>/snapshots/<id>)" };
        var targetDir = new Argument<string>("target-data-dir") { Description = "The data directory to restore into (created if missing)" };
        var clearWal = new Option<bool>("--clear-wal") { Description = "Also empty the target's wal/ (a snapshot carries no WAL); left alone by default" };
        var command = new Command(
            "restore",
            "Restore a snapshot into a data directory (storage.dat and metadata/schemas), verifying while copying; the target "
            + "changes only once the restored copy is durable, and stays as it was on failure. Takes the target's LOCK when it exists. "
            + "Exits 1 when the snapshot is corrupt.")
        {
            snapshotDir,
            targetDir,
            clearWal,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string snapshot = Require.ExistingDirectory(context.ParseResult.GetRequiredValue(snapshotDir), "snapshot directory");
            string target = Path.GetFullPath(context.ParseResult.GetRequiredValue(targetDir));
            bool clear = context.ParseResult.GetValue(clearWal);

            // A target that does not exist yet has no database running in it; one that exists may.
            using DataDirectoryLock? targetLock = Directory.Exists(target) ? DataDirectoryLock.Acquire(target) : null;
            using var manager = new SnapshotManager();
            long start = Stopwatch.GetTimestamp();
            RestoreResult result = ProgressDisplay.Run(
                context.Output,
                "restore",
                progress => manager.Restore(snapshot, target, clear, context.Options(progress)));
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

            context.Output.Line($"Restored snapshot {result.Id} into {result.TargetDirectory}");
            context.Output.Line($"  {Human.Count(result.FilesRestored, "file")}, {ByteSize.Format(result.BytesRestored)} in {Human.Duration(elapsed)} ({Human.Rate(result.BytesRestored, elapsed)})");
            context.Output.Line(clear ? "  wal/ cleared" : "  wal/ left as it was (use --clear-wal to empty it)");
            context.Output.JsonDocument(json =>
            {
                json.WriteStartObject();
                json.WriteString("snapshot_id", result.Id.ToString());
                json.WriteString("snapshot_dir", snapshot);
                json.WriteString("target_dir", result.TargetDirectory);
                json.WriteNumber("bytes", result.BytesRestored);
                json.WriteNumber("files", result.FilesRestored);
                json.WriteBoolean("wal_cleared", clear);
                JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
                JsonOutput.WriteRate(json, "mb_per_s", result.BytesRestored, elapsed);
                json.WriteEndObject();
            });
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }
}
