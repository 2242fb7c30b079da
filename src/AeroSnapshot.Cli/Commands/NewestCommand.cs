using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Discovery;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap newest &lt;data-dir&gt;</c>: recovery's discovery, shown.</summary>
internal static class NewestCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var dataDir = new Argument<string>("data-dir") { Description = "The AeroDB data directory" };
        var strict = new Option<bool>("--strict") { Description = "Any file a manifest does not list makes its snapshot corrupt" };
        var command = new Command(
            "newest",
            "Find the newest snapshot that verifies, as recovery does, and show every snapshot skipped on the way and why. "
            + "Exits 1 when no snapshot is valid (recovery would fall back to the WAL alone). Deletes nothing.")
        {
            dataDir,
            strict,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string directory = Require.ExistingDirectory(context.ParseResult.GetRequiredValue(dataDir), "data directory");
            using var manager = new SnapshotManager();
            long start = Stopwatch.GetTimestamp();
            DiscoveryResult result = ProgressDisplay.Run(
                context.Output,
                "verify",
                progress => manager.DiscoverNewestValid(directory, context.Options(progress, context.ParseResult.GetValue(strict))));
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

            Print(context.Output, directory, result, elapsed);
            context.Output.JsonDocument(json => Write(json, directory, result, elapsed));
            return result.Found ? ExitCodes.Success : ExitCodes.Corruption;
        }, cancellation);
        return command;
    }

    private static void Print(CliOutput output, string dataDirectory, DiscoveryResult result, TimeSpan elapsed)
    {
        if (result.Selected is { } selected)
        {
            output.Line($"Newest valid snapshot: {TextReports.IdOf(selected)}");
            output.Line($"  path  {selected.SnapshotDirectory}");
            output.Line($"  read  {Human.Count(selected.FilesVerified, "file")}, {ByteSize.Format(selected.BytesVerified)} verified (discovery took {Human.Duration(elapsed)})");
            VerifyCommand.PrintUnlisted(output, selected);
        }
        else
        {
            string where = Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName);
            output.ErrorLine($"no valid snapshot under {where}: recovery would fall back to the WAL alone.");
            output.Line($"No valid snapshot under {where}.");
        }

        if (result.Skipped.Count > 0)
        {
            output.Line($"Skipped {Human.Count(result.Skipped.Count, "snapshot")} (newest first):");
            foreach (SkippedSnapshot skipped in result.Skipped)
            {
                output.Line($"  {skipped.Id}  {skipped.Code}");
                TextReports.Problems(output, skipped.Problems, "    ");
            }
        }

        if (result.IgnoredEntries.Count > 0)
        {
            output.Line($"Ignored (not snapshots): {string.Join(", ", result.IgnoredEntries)}");
        }
    }

    private static void Write(Utf8JsonWriter json, string dataDirectory, DiscoveryResult result, TimeSpan elapsed)
    {
        json.WriteString("data_dir", dataDirectory);
        json.WriteBoolean("found", result.Found);
        if (result.Selected is { } selected)
        {
            json.WriteStartObject("selected");
            json.WriteString("snapshot_id", TextReports.IdOf(selected));
            json.WriteString("snapshot_dir", selected.SnapshotDirectory);
            json.WriteNumber("bytes_verified", selected.BytesVerified);
            json.WriteNumber("files_verified", selected.FilesVerified);
            JsonOutput.WriteProblems(json, "unlisted", selected.Unlisted);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("selected");
        }

        WriteSkipped(json, "skipped", result.Skipped);
        json.WriteStartArray("ignored");
        foreach (string name in result.IgnoredEntries)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
    }

    internal static void WriteSkipped(Utf8JsonWriter json, string name, IReadOnlyList<SkippedSnapshot> skipped)
    {
        json.WriteStartArray(name);
        foreach (SkippedSnapshot snapshot in skipped)
        {
            json.WriteStartObject();
            json.WriteString("snapshot_id", snapshot.Id.ToString());
            json.WriteString("snapshot_dir", snapshot.Directory);
            json.WriteString("code", snapshot.Code);
            JsonOutput.WriteProblems(json, "problems", snapshot.Problems);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
