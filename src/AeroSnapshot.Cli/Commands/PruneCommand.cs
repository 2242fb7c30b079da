using System.CommandLine;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Pruning;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap prune &lt;data-dir&gt; --keep N</c>: deletes old valid snapshots.</summary>
internal static class PruneCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var dataDir = new Argument<string>("data-dir") { Description = "The AeroDB data directory" };
        var keep = new Option<int>("--keep")
        {
            Description = "How many of the newest valid snapshots to keep (at least 1)",
            Required = true,
            HelpName = "N",

            // Parsed here rather than checked in a validator: a validator reading a value that did
            // not convert ("many") throws instead of reporting a usage error.
            CustomParser = static result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int count) || count < 1)
                {
                    // 0 would delete every valid snapshot: a tool run by hand should not make that one typo away.
                    result.AddError($"--keep must be a whole number of at least 1, not '{text}'.");
                }

                return count;
            },
        };
        var command = new Command(
            "prune",
            "Delete all but the newest N valid snapshots. Verifies them first; snapshots that do not verify are never deleted "
            + "(they are listed, and the exit code is 1). Takes the data directory's LOCK.")
        {
            dataDir,
            keep,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string directory = Require.ExistingDirectory(context.ParseResult.GetRequiredValue(dataDir), "data directory");
            int count = context.ParseResult.GetValue(keep);
            using var manager = new SnapshotManager();
            PruneResult result = DataDirectoryLocking.WhileLocked(directory, () => ProgressDisplay.Run(
                context.Output,
                "verify",
                progress => manager.Prune(directory, count, context.Options(progress))));

            context.Output.Line($"Kept {Human.Count(result.Kept.Count, "valid snapshot")}: {Join(result.Kept)}");
            context.Output.Line($"Deleted {Human.Count(result.Deleted.Count, "snapshot")}: {Join(result.Deleted)}");
            if (result.Invalid.Count > 0)
            {
                context.Output.ErrorLine($"{Human.Count(result.Invalid.Count, "snapshot")} failed verification and {(result.Invalid.Count == 1 ? "was" : "were")} left in place: {string.Join(", ", result.Invalid.Select(static s => s.Id))}");
                context.Output.Line($"Not deleted (failed verification): {Human.Count(result.Invalid.Count, "snapshot")}");
                foreach (SkippedSnapshot invalid in result.Invalid)
                {
                    context.Output.Line($"  {invalid.Id}  {invalid.Code}");
                    TextReports.Problems(context.Output, invalid.Problems, "    ");
                }
            }

            context.Output.JsonDocument(json =>
            {
                json.WriteStartObject();
                json.WriteString("data_dir", directory);
                json.WriteNumber("keep", count);
                WriteIds(json, "kept", result.Kept);
                WriteIds(json, "deleted", result.Deleted);
                NewestCommand.WriteSkipped(json, "invalid", result.Invalid);
                json.WriteEndObject();
            });
            return result.Invalid.Count > 0 ? ExitCodes.Corruption : ExitCodes.Success;
        }, cancellation);
        return command;
    }

    private static string Join(IReadOnlyList<SnapshotId> ids) => ids.Count == 0 ? "none" : string.Join(", ", ids);

    private static void WriteIds(System.Text.Json.Utf8JsonWriter json, string name, IReadOnlyList<SnapshotId> ids)
    {
        json.WriteStartArray(name);
        foreach (SnapshotId id in ids)
        {
            json.WriteStringValue(id.ToString());
        }

        json.WriteEndArray();
    }
}
