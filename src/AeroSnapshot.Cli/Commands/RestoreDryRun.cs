using System.Diagnostics;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Cli.Commands;

/// <summary>
/// <c>aerosnap restore --dry-run</c>: the restore's own checks and sorting of the target's entries
/// (the library's preview), the snapshot verified in full, and nothing changed; the target's LOCK is
/// taken as the restore takes it and given back (removed again if it had to be created).
/// </summary>
internal static class RestoreDryRun
{
    public static int Run(CommandContext context, SnapshotManager manager, string snapshot, string target, bool keepWal, bool strict, StorageFileLocation? location)
    {
        long start = Stopwatch.GetTimestamp();
        RestorePreview preview = DataDirectoryLocking.WhileLocked(
            target,
            context.LockWait,
            () =>
            {
                RestorePreview plan = manager.PreviewRestore(snapshot, target, keepWal, context.Options(null, strict, location));

                // The restore checks every checksum while it copies; a preview reads them here, so a
                // corrupt snapshot fails the dry run as it would fail the restore (exit 1).
                VerificationReport report = ProgressDisplay.Run(context.Output, "verify", progress => manager.Verify(snapshot, context.Options(progress, strict)));
                return report.ToCorruptionError() is { } corrupt ? throw corrupt : plan;
            },
            dryRun: true);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

        IReadOnlyList<string> replaced = Replaced(preview);
        CliOutput output = context.Output;
        output.Line($"Restoring snapshot {preview.Id} into {preview.TargetDirectory} would (--dry-run: nothing was changed):");
        foreach (string recovered in preview.Recovered)
        {
            output.Line($"  first finish or undo  {recovered}");
        }

        output.Line($"  replace  {string.Join(", ", replaced)}{(preview.WalKept ? " (wal/ kept: --keep-wal)" : " (the WAL by an empty one)")}");
        output.Line($"  keep     {(preview.CarriedOver.Count == 0 ? "nothing" : string.Join(", ", preview.CarriedOver))}");
        output.Line($"  delete   {(preview.Discarded.Count == 0 ? "nothing else" : string.Join(", ", preview.Discarded))}{(preview.Discarded.Count == 0 ? string.Empty : " (with the previous data: restore never merges)")}");
        if (preview.UnverifiedFiles.Count > 0)
        {
            output.Line($"  copy unverified (not listed in the manifest): {string.Join(", ", preview.UnverifiedFiles)}");
        }

        output.JsonDocument(json =>
        {
            json.WriteString("snapshot_id", preview.Id.ToString());
            json.WriteString("snapshot_dir", snapshot);
            json.WriteString("data_dir", preview.TargetDirectory);
            json.WriteBoolean("dry_run", true);
            json.WriteBoolean("wal_kept", preview.WalKept);
            JsonOutput.WriteStrings(json, "replaced", replaced);
            JsonOutput.WriteStrings(json, "carried_over", preview.CarriedOver);
            JsonOutput.WriteStrings(json, "discarded", preview.Discarded);
            JsonOutput.WriteStrings(json, "recovered", preview.Recovered);
            JsonOutput.WriteStrings(json, "unverified", preview.UnverifiedFiles);
            JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
        });
        return ExitCodes.Success;
    }

    /// <summary>What the snapshot's own files replace: the storage file, the schema tree, and the WAL unless kept.</summary>
    private static IReadOnlyList<string> Replaced(RestorePreview preview)
        => preview.WalKept
            ? [preview.StorageFile, "metadata/schemas"]
            : [preview.StorageFile, "metadata/schemas", "wal/wal.log"];
}
