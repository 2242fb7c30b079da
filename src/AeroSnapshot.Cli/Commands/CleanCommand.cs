using System.CommandLine;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap clean &lt;data-dir&gt;</c>: removes what interrupted creates and prunes left behind.</summary>
internal static class CleanCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var dataDir = new Argument<string>("data-dir") { Description = "The AeroDB data directory" };
        var command = new Command(
            "clean",
            "Remove leftover staging directories (.staging-*, .deleting-*) under <data-dir>/snapshots; never a snapshot. "
            + "Also finishes or undoes a restore into <data-dir> that was interrupted (crash, kill, power cut), "
            + "so the data directory is either the restored snapshot or what it was before. "
            + "Takes the data directory's LOCK, so it never removes the staging of a snapshot being taken.")
        {
            dataDir,
            globals.DryRun,
            globals.LockWait,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string directory = Require.ExistingDirectory(context.ParseResult.GetRequiredValue(dataDir), "data directory");
            bool dryRun = context.DryRun;
            using var manager = new SnapshotManager();
            IReadOnlyList<string> removed = DataDirectoryLocking.WhileLocked(
                directory,
                context.LockWait,
                () => dryRun ? manager.PreviewLeftovers(directory) : manager.RemoveLeftovers(directory),
                dryRun);

            if (removed.Count == 0)
            {
                context.Output.Line("Nothing to clean.");
            }
            else
            {
                context.Output.Line(dryRun
                    ? $"Would remove or finish {Human.Count(removed.Count, "leftover")} (--dry-run: nothing was changed):"
                    : $"Removed {Human.Count(removed.Count, "leftover")}:");
                foreach (string name in removed)
                {
                    context.Output.Line($"  {name}");
                }
            }

            context.Output.JsonDocument(json =>
            {
                json.WriteString("data_dir", directory);
                json.WriteBoolean("dry_run", dryRun);
                JsonOutput.WriteStrings(json, "removed", removed);
            });
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }
}
