using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Pruning;

namespace AeroSnapshot.Cli.Commands;

/// <summary>
/// <c>aerosnap prune &lt;data-dir&gt; [--keep N] [--keep-within D] [--keep-daily N] [--keep-weekly N] [--keep-monthly N]</c>:
/// deletes the valid snapshots no retention rule keeps (the library's <see cref="RetentionPolicy"/>).
/// </summary>
internal static class PruneCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var dataDir = new Argument<string>("data-dir") { Description = "The AeroDB data directory" };
        Option<int?> keep = Count("--keep", "Keep the newest N valid snapshots");
        var keepWithin = new Option<TimeSpan?>("--keep-within")
        {
            Description = $"Keep every valid snapshot taken within this span before the newest valid one ({DurationText.Forms})",
            HelpName = "duration",
            CustomParser = static result => DurationText.ParseOption(result) is not { } span ? null
                : span > TimeSpan.Zero ? span
                : Refuse<TimeSpan?>(result, "--keep-within must be longer than 0."),
        };
        Option<int?> keepDaily = Count("--keep-daily", "Keep the newest valid snapshot of each of the last N days (UTC) that have one");
        Option<int?> keepWeekly = Count("--keep-weekly", "Keep the newest valid snapshot of each of the last N ISO weeks (UTC, Monday first) that have one");
        Option<int?> keepMonthly = Count("--keep-monthly", "Keep the newest valid snapshot of each of the last N months (UTC) that have one");
        var command = new Command(
            "prune",
            "Delete the valid snapshots no retention rule keeps: a snapshot is kept when any rule keeps it (restic's semantics), "
            + "and the newest valid snapshot always is. Verifies every snapshot first; snapshots that do not verify are never deleted "
            + "and count for no rule (they are listed, and the exit code is 1). Takes the data directory's LOCK.")
        {
            dataDir,
            keep,
            keepWithin,
            keepDaily,
            keepWeekly,
            keepMonthly,
            globals.DryRun,
            globals.LockWait,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(keep) is null && result.GetResult(keepWithin) is null && result.GetResult(keepDaily) is null
                && result.GetResult(keepWeekly) is null && result.GetResult(keepMonthly) is null)
            {
                result.AddError("Say what to keep: --keep N, --keep-within, --keep-daily, --keep-weekly or --keep-monthly (combinable).");
            }
        });

        CommandRunner.SetBody(command, globals, context =>
        {
            string directory = Require.ExistingDirectory(context.ParseResult.GetRequiredValue(dataDir), "data directory");
            ParseResult parse = context.ParseResult;
            var policy = new RetentionPolicy
            {
                KeepLast = parse.GetValue(keep) ?? 0,
                KeepWithin = parse.GetValue(keepWithin),
                KeepDaily = parse.GetValue(keepDaily) ?? 0,
                KeepWeekly = parse.GetValue(keepWeekly) ?? 0,
                KeepMonthly = parse.GetValue(keepMonthly) ?? 0,
            };
            bool dryRun = context.DryRun;
            using var manager = new SnapshotManager();
            PruneResult result = DataDirectoryLocking.WhileLocked(
                directory,
                context.LockWait,
                () => ProgressDisplay.Run(
                    context.Output,
                    "verify",
                    progress => dryRun
                        ? manager.PreviewPrune(directory, policy, context.Options(progress))
                        : manager.Prune(directory, policy, context.Options(progress))),
                dryRun);

            Print(context.Output, result);
            context.Output.JsonDocument(json =>
            {
                json.WriteString("data_dir", directory);
                json.WriteBoolean("dry_run", result.Preview);
                json.WriteStartObject("policy");
                json.WriteNumber("keep_last", policy.KeepLast);
                JsonOutput.WriteStringOrNull(json, "keep_within", policy.KeepWithin is { } within ? DurationText.Format(within) : null);
                json.WriteNumber("keep_daily", policy.KeepDaily);
                json.WriteNumber("keep_weekly", policy.KeepWeekly);
                json.WriteNumber("keep_monthly", policy.KeepMonthly);
                json.WriteEndObject();
                JsonOutput.WriteIds(json, "kept", result.Kept);
                JsonOutput.WriteIds(json, "deleted", result.Deleted);
                json.WriteStartArray("decisions");
                foreach (RetentionDecision decision in result.Decisions)
                {
                    json.WriteStartObject();
                    json.WriteString("snapshot_id", decision.Id.ToString());
                    json.WriteBoolean("keep", decision.Keep);
                    JsonOutput.WriteStrings(json, "kept_by", RuleNames(decision.KeptBy));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                NewestCommand.WriteSkipped(json, "invalid", result.Invalid);
                JsonOutput.WriteMilliseconds(json, "elapsed_ms", result.Duration);
            });
            return result.Invalid.Count > 0 ? ExitCodes.Corruption : ExitCodes.Success;
        }, cancellation);
        return command;
    }

    private static void Print(CliOutput output, PruneResult result)
    {
        output.Line($"Kept {Human.Count(result.Kept.Count, "valid snapshot")}: {(result.Kept.Count == 0 ? "none" : string.Join(", ", result.Decisions.Where(static d => d.Keep).Select(static d => $"{d.Id} ({string.Join(", ", RuleNames(d.KeptBy))})")))}");
        string deleted = result.Deleted.Count == 0 ? "none" : string.Join(", ", result.Deleted);
        output.Line(result.Preview
            ? $"Would delete {Human.Count(result.Deleted.Count, "snapshot")}: {deleted}"
            : $"Deleted {Human.Count(result.Deleted.Count, "snapshot")}: {deleted}");
        if (result.Invalid.Count > 0)
        {
            output.ErrorLine($"{Human.Count(result.Invalid.Count, "snapshot")} failed verification and {(result.Invalid.Count == 1 ? "was" : "were")} left in place: {string.Join(", ", result.Invalid.Select(static s => s.Id))}");
            output.Line($"Not deleted (failed verification): {Human.Count(result.Invalid.Count, "snapshot")}");
            foreach (SkippedSnapshot invalid in result.Invalid)
            {
                output.Line($"  {invalid.Id}  {invalid.Code}");
                TextReports.Problems(output, invalid.Problems, "    ");
            }
        }

        if (result.Preview)
        {
            output.Line("Nothing was deleted (--dry-run).");
        }
    }

    /// <summary><c>newest</c>, <c>last</c>, <c>within</c>, <c>daily</c>, <c>weekly</c>, <c>monthly</c>: the rules that keep a snapshot.</summary>
    private static IEnumerable<string> RuleNames(RetentionRules rules)
    {
        foreach (RetentionRules rule in (RetentionRules[])[RetentionRules.Newest, RetentionRules.Last, RetentionRules.Within, RetentionRules.Daily, RetentionRules.Weekly, RetentionRules.Monthly])
        {
            if ((rules & rule) != 0)
            {
                yield return rule.ToString().ToLowerInvariant();
            }
        }
    }

    /// <summary>
    /// A count of at least 1. Parsed here rather than checked in a validator: a validator reading a
    /// value that did not convert ("many") throws instead of reporting a usage error.
    /// </summary>
    private static Option<int?> Count(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;

            // 0 would make the rule keep nothing: a tool run by hand should not make that one typo away.
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1
                ? count
                : Refuse<int?>(result, $"{name} must be a whole number of at least 1, not '{text}'.");
        },
    };

    private static T? Refuse<T>(ArgumentResult result, string error)
    {
        result.AddError(error);
        return default;
    }
}
