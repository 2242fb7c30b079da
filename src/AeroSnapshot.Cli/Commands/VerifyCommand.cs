using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap verify &lt;snapshot-dir&gt;</c>: full verification, every problem listed.</summary>
internal static class VerifyCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var snapshotDir = new Argument<string>("snapshot-dir") { Description = "The snapshot directory (<data-dir>/snapshots/<id>)" };
        var strict = new Option<bool>("--strict")
        {
            Description = "Any file the manifest does not list is corruption (by default, files below schemas/ subdirectories of a "
                + "snapshot whose manifest lists top-level files only, as the Rust reference writes it, are reported as unlisted)",
        };
        var command = new Command(
            "verify",
            "Verify a snapshot: read its manifest strictly, checksum every file, and print every problem found, and every file the "
            + "manifest does not list. Exits 1 when the snapshot is corrupt.")
        {
            snapshotDir,
            strict,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string directory = Require.ExistingDirectory(context.ParseResult.GetRequiredValue(snapshotDir), "snapshot directory");
            using var manager = new SnapshotManager();
            long start = Stopwatch.GetTimestamp();
            VerificationReport report = ProgressDisplay.Run(
                context.Output,
                "verify",
                progress => manager.Verify(directory, context.Options(progress, context.ParseResult.GetValue(strict))));
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

            Print(context.Output, report, elapsed, reportError: false);
            if (report.ToCorruptionError() is { } error)
            {
                // A corrupt snapshot is a failure like any other: the failure document, with the
                // whole report in its details.
                return context.Output.Fail(error, json =>
                {
                    json.WriteStartObject("report");
                    WriteReport(json, report, elapsed);
                    json.WriteEndObject();
                });
            }

            context.Output.JsonDocument(json => WriteReport(json, report, elapsed));
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }

    /// <param name="output">Where to print.</param>
    /// <param name="report">The report.</param>
    /// <param name="elapsed">How long verification took.</param>
    /// <param name="reportError">Print the corruption's code on stderr (false when the caller fails with it, which does).</param>
    internal static void Print(CliOutput output, VerificationReport report, TimeSpan elapsed, bool reportError = true)
    {
        string id = TextReports.IdOf(report);
        string read = $"{Human.Count(report.FilesVerified, "file")}, {ByteSize.Format(report.BytesVerified)} checksummed in {Human.Duration(elapsed)}, {Human.Rate(report.BytesVerified, elapsed)}";
        if (report.IsValid)
        {
            output.Line($"Snapshot {id} is valid: {read}.");
            PrintUnlisted(output, report);
            return;
        }

        if (reportError && report.ToCorruptionError() is { } error)
        {
            output.ErrorLine($"{error.Code}: snapshot {id} failed verification with {Human.Count(report.Problems.Count, "problem")}.");
        }

        output.Line($"Snapshot {id} is CORRUPT, {Human.Count(report.Problems.Count, "problem")} found: {read}.");
        TextReports.Problems(output, report.Problems);
        PrintUnlisted(output, report);
    }

    /// <summary>Files present but not listed: never silent, never corruption (see <c>--strict</c>).</summary>
    internal static void PrintUnlisted(CliOutput output, VerificationReport report, string indent = "  ")
    {
        if (report.Unlisted.Count == 0)
        {
            return;
        }

        output.Line($"{indent}{Human.Count(report.Unlisted.Count, "file")} present but not listed in the manifest (not verified; the reference implementation lists top-level schema files only; --strict makes this corruption):");
        TextReports.Problems(output, report.Unlisted, indent + "  ");
    }

    /// <summary>The members of a verification report (the caller writes the object around them).</summary>
    internal static void WriteReport(Utf8JsonWriter json, VerificationReport report, TimeSpan elapsed)
    {
        json.WriteString("snapshot_dir", report.SnapshotDirectory);
        if (report.Manifest is { } manifest)
        {
            json.WriteString("snapshot_id", manifest.SnapshotId.ToString());
            json.WriteString("created_at", manifest.CreatedAt.ToString());
            json.WriteNumber("format_version", manifest.FormatVersion);
        }
        else
        {
            json.WriteNull("snapshot_id");
        }

        json.WriteBoolean("valid", report.IsValid);
        json.WriteNumber("bytes_verified", report.BytesVerified);
        json.WriteNumber("files_verified", report.FilesVerified);
        JsonOutput.WriteMilliseconds(json, "elapsed_ms", elapsed);
        JsonOutput.WriteRate(json, "mb_per_s", report.BytesVerified, elapsed);
        JsonOutput.WriteProblems(json, "problems", report.Problems);
        JsonOutput.WriteProblems(json, "unlisted", report.Unlisted);
    }
}
