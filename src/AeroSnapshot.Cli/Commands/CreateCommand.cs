using System.CommandLine;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Creation;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap create &lt;data-dir&gt;</c>: takes a snapshot.</summary>
internal static class CreateCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var dataDir = new Argument<string>("data-dir") { Description = "The AeroDB data directory" };
        var overrides = new DataPaths.Overrides();
        var precopy = new Option<bool>("--precopy")
        {
            Description = "Copy the storage file and schemas before pausing writes, then inside the pause re-hash them and copy only "
                + "what changed (the storage file must be append-only; anything else falls back to a full copy). Reports both times.",
        };
        var lockThroughout = new Option<bool>("--lock-throughout")
        {
            Description = "Hold the execution lock for the whole create (the library's one-call CreateSnapshot) instead of releasing it "
                + "after the capture: the pause is then the whole create, checksums, fsyncs and publication included.",
        };
        var command = new Command(
            "create",
            "Take a snapshot of a data directory into <data-dir>/snapshots/<id>. Takes the data directory's LOCK "
            + "(fails at once with exit 11 if another process holds it, or waits with --lock-wait), pauses writes with a global execution lock, fsyncs the WAL, "
            + "copies storage and schemas with checksums, and publishes the snapshot durably.")
        {
            dataDir,
            precopy,
            lockThroughout,
            globals.LockWait,
        };
        overrides.AddTo(command);

        CommandRunner.SetBody(command, globals, context =>
        {
            DataPaths paths = overrides.Resolve(context.ParseResult, context.ParseResult.GetRequiredValue(dataDir));
            using var manager = new SnapshotManager();
            CreatedSnapshot created = ProgressDisplay.Run(
                context.Output,
                "snapshot",
                progress => SnapshotTaker.Take(manager, paths, context.Options(progress), context.ParseResult.GetValue(precopy), lockThroughout: context.ParseResult.GetValue(lockThroughout), lockWait: context.LockWait));

            Print(context.Output, paths, created);
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }

    internal static void Print(CliOutput output, DataPaths paths, CreatedSnapshot created)
    {
        output.Line($"Created snapshot {created.Id}");
        output.Line($"  path   {created.Directory}");
        output.Line($"  size   {ByteSize.Format(created.Bytes)} in {Human.Count(created.Files, "file")} ({FileBreakdown(created.Files)}){(created.Result.StorageCopy == StorageCopyMethod.Reflinked ? ", storage cloned (reflink)" : string.Empty)}");
        output.Line($"  pause  {Human.Duration(created.Pause)} with writes paused (the capture: WAL fsync, storage {(created.Result.StorageCopy == StorageCopyMethod.Reflinked ? "cloned" : "copied")}, schemas copied)");
        output.Line($"  total  {Human.Duration(created.Total)} until published and durable ({Human.Rate(created.Bytes, created.Total)})");
        if (created.Precopy is { } precopy)
        {
            output.Line($"  precopy {ByteSize.Format(precopy.StorageBytes + precopy.SchemaBytes)} copied before the pause in {Human.Duration(precopy.Duration)} (total with the pause {Human.Duration(precopy.Duration + created.Pause)})");
            if (created.Result.Precopy is { } report)
            {
                output.Line($"          in the pause: {PrecopyTaken.Describe(report)}");
            }
        }

        output.Line($"  wal    {created.WalSynced ?? "none (no WAL file; nothing to fsync)"}");
        output.JsonDocument(json => WriteFields(json, paths, created));
    }

    /// <summary>A snapshot holds storage.dat, the schema files and manifest.json.</summary>
    internal static string FileBreakdown(int files)
        => $"storage.dat, {Human.Count(Math.Max(files - 2, 0), "schema file")}, manifest.json";

    internal static void WriteFields(System.Text.Json.Utf8JsonWriter json, DataPaths paths, CreatedSnapshot created)
    {
        json.WriteString("snapshot_id", created.Id.ToString());
        json.WriteString("snapshot_dir", created.Directory);
        json.WriteString("data_dir", paths.DataDirectory);
        json.WriteString("storage", paths.Storage);
        json.WriteString("schemas", paths.Schemas);
        if (created.WalSynced is { } wal)
        {
            json.WriteString("wal", wal);
        }
        else
        {
            json.WriteNull("wal");
        }

        json.WriteNumber("bytes", created.Bytes);
        json.WriteNumber("files", created.Files);
        json.WriteString("storage_copy", created.Result.StorageCopy == StorageCopyMethod.Reflinked ? "reflink" : "streamed");
        JsonOutput.WriteMilliseconds(json, "pause_ms", created.Pause);
        JsonOutput.WriteMilliseconds(json, "total_ms", created.Total);
        JsonOutput.WriteRate(json, "mb_per_s", created.Bytes, created.Total);
        created.Precopy?.WriteJson(json, created.Result.Precopy);
        json.WriteStartObject("steps_ms");
        foreach (StepTiming step in created.Result.Steps)
        {
            JsonOutput.WriteMilliseconds(json, JsonOutput.SnakeCase(step.Step.ToString()), step.Duration);
        }

        json.WriteEndObject();
    }
}
