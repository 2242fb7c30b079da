using System.CommandLine;
using System.Diagnostics;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap checkpoint &lt;data-dir&gt; [--wal P]</c>: snapshot, <c>checkpoint.json</c>, WAL reset.</summary>
internal static class CheckpointCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var dataDir = new Argument<string>("data-dir") { Description = "The AeroDB data directory (the database must not be running)" };
        var overrides = new DataPaths.Overrides();
        var command = new Command(
            "checkpoint",
            "Take a checkpoint of a stopped data directory: check the WAL as AeroDB's reader does (a WAL it would refuse stops the "
            + "checkpoint, exit 1, nothing changed; a missing WAL is empty), fsync it, take a snapshot, write <data-dir>/checkpoint.json "
            + "durably, then reset the WAL to empty (ftruncate + fsync). Takes the data directory's LOCK. A failed reset leaves "
            + "the snapshot and the WAL as they were; 'aerosnap clean' finishes or undoes an interrupted checkpoint. "
            + "Refused (exit 11, in use) while AeroDB's running marker <data-dir>/.lock exists.")
        {
            dataDir,
            globals.LockWait,
        };
        overrides.AddTo(command);

        CommandRunner.SetBody(command, globals, context =>
        {
            DataPaths paths = overrides.Resolve(context.ParseResult, context.ParseResult.GetRequiredValue(dataDir));
            if (paths.WalGiven && !Path.Exists(paths.Wal))
            {
                // The default WAL may be absent (an empty WAL, as AeroDB treats it); a --wal that
                // is not there is most likely a typo, and checkpointing without it would be wrong.
                throw new SnapshotException(SnapshotErrorCode.Failed, $"The WAL '{paths.Wal}' given with --wal does not exist.", SnapshotStep.Prepare, paths.Wal, Errno.ENOENT);
            }

            using var manager = new SnapshotManager();
            var executionLock = new GlobalExecutionLock();
            long start = Stopwatch.GetTimestamp();

            // A refused or failed checkpoint removes a LOCK it had to create.
            CheckpointResult result = DataDirectoryLocking.WhileLocked(paths.DataDirectory, context.LockWait, () => ProgressDisplay.Run(context.Output, "checkpoint", progress =>
            {
                using (executionLock.Acquire())
                {
                    return manager.Checkpoint(paths.DataDirectory, paths.Storage, paths.Schemas, paths.Wal, executionLock, context.Options(progress));
                }
            }));
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

            string snapshot = Path.Join(paths.DataDirectory, SnapshotLayout.SnapshotsDirectoryName, result.SnapshotId.ToString());
            context.Output.Line($"Checkpoint from snapshot {result.SnapshotId}");
            context.Output.Line($"  snapshot  {snapshot}");
            context.Output.Line($"  marker    {result.MarkerPath}");
            context.Output.Line(Path.Exists(result.WalPath) ? $"  wal       {result.WalPath} reset to empty ({ByteSize.Format(result.WalBytesDropped)} dropped)" : $"  wal       {result.WalPath} does not exist (an empty WAL): nothing to reset");
            context.Output.Line($"  took      {Human.Duration(elapsed)} with writes paused");
            context.Output.JsonDocument(json =>
            {
                json.WriteString("snapshot_id", result.SnapshotId.ToString());
                json.WriteString("snapshot_dir", snapshot);
                json.WriteString("data_dir", paths.DataDirectory);
                json.WriteString("checkpoint_file", result.MarkerPath);
                json.WriteString("created_at", result.Marker.CreatedAt.ToString());
                json.WriteBoolean("wal_truncated", result.Marker.WalTruncated);
                json.WriteString("wal", result.WalPath);
                json.WriteNumber("wal_bytes_dropped", result.WalBytesDropped);
                JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
            });
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }
}
