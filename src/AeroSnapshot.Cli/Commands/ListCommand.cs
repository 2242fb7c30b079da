using System.CommandLine;
using System.Text.Json;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Verification;
using Spectre.Console;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap list &lt;data-dir&gt;</c>: one row per entry of <c>snapshots/</c>.</summary>
internal static class ListCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var dataDir = new Argument<string>("data-dir") { Description = "The AeroDB data directory" };
        var verify = new Option<bool>("--verify") { Description = "Verify every snapshot (reads all their data); without it, status is 'unverified' unless the manifest is unreadable" };
        var strict = new Option<bool>("--strict") { Description = "With --verify: any file a manifest does not list makes its snapshot corrupt" };
        var command = new Command(
            "list",
            "List the entries under <data-dir>/snapshots, newest first: id, created_at, bytes, files and status "
            + "(valid, corrupt, incomplete, unverified; 'other' for entries that are not snapshots). Exits 1 when a snapshot is corrupt.")
        {
            dataDir,
            verify,
            strict,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string directory = Require.ExistingDirectory(context.ParseResult.GetRequiredValue(dataDir), "data directory");
            bool full = context.ParseResult.GetValue(verify);
            bool strictly = context.ParseResult.GetValue(strict);
            using var manager = new SnapshotManager();
            IReadOnlyList<SnapshotListing> listings = manager.ListSnapshots(directory);
            List<Row> rows = ProgressDisplay.Run(
                context.Output,
                "verify",
                progress => listings.Select(listing => Classify(manager, listing, full, context.Options(progress, strictly))).ToList());

            Print(context.Output, directory, rows);
            context.Output.JsonDocument(json => WriteRows(json, directory, rows, full));
            return rows.Any(static row => row.Status == Status.Corrupt) ? ExitCodes.Corruption : ExitCodes.Success;
        }, cancellation);
        return command;
    }

    private static Row Classify(SnapshotManager manager, SnapshotListing listing, bool verify, SnapshotOptions options)
    {
        switch (listing.Kind)
        {
            case SnapshotEntryKind.Incomplete:
                return new Row(listing, Status.Incomplete, null);
            case SnapshotEntryKind.Other:
                return new Row(listing, Status.Other, null);
        }

        if (!verify)
        {
            // A manifest that cannot even be read needs no data read to be called corrupt.
            return new Row(listing, listing.ManifestError is null ? Status.Unverified : Status.Corrupt, null);
        }

        VerificationReport report = manager.Verify(listing.Directory, options);
        return new Row(listing, report.IsValid ? Status.Valid : Status.Corrupt, report);
    }

    private static void Print(CliOutput output, string dataDirectory, List<Row> rows)
    {
        string snapshots = Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName);
        if (rows.Count == 0)
        {
            output.Line($"No entries under {snapshots}.");
            return;
        }

        // The directory is a line of its own, not the table's title: Spectre cuts a title to the
        // table's width with a Unicode ellipsis, which lost the path and broke ASCII output.
        output.Line(snapshots);
        var table = new Table().Border(output.TableBorder);
        table.AddColumn(new TableColumn("id").NoWrap());
        table.AddColumn("created_at");
        table.AddColumn(new TableColumn("bytes").RightAligned());
        table.AddColumn(new TableColumn("files").RightAligned());
        table.AddColumn(new TableColumn("status").NoWrap());
        foreach (Row row in rows)
        {
            table.AddRow(
                Markup.Escape(Printable.Escape(row.Listing.Name)),
                row.Listing.CreatedAt?.ToString() ?? "-",
                ByteSize.Format(row.Listing.Bytes),
                row.Listing.Files.ToString(System.Globalization.CultureInfo.InvariantCulture),
                StatusMarkup(row.Status) + (row.Report is { Unlisted.Count: > 0 } withUnlisted ? $" ({withUnlisted.Unlisted.Count} unlisted)" : string.Empty));
        }

        output.Render(table);
        foreach (Row row in rows.Where(static r => r.Report is { Unlisted.Count: > 0 }))
        {
            output.Line($"{row.Listing.Name}: {Human.Count(row.Report!.Unlisted.Count, "file")} the manifest does not list (not verified; a reference-written snapshot):");
            TextReports.Problems(output, row.Report.Unlisted);
        }

        foreach (Row row in rows.Where(static r => r.Status == Status.Corrupt))
        {
            output.Line($"{row.Listing.Name}:");
            if (row.Report is { } report)
            {
                TextReports.Problems(output, report.Problems);
            }
            else if (row.Listing.ManifestError is { } manifestError)
            {
                output.Line($"  manifest: {manifestError}");
            }
        }
    }

    private static string StatusMarkup(Status status) => status switch
    {
        Status.Valid => "[green]valid[/]",
        Status.Corrupt => "[red]corrupt[/]",
        Status.Incomplete => "[yellow]incomplete[/]",
        Status.Unverified => "unverified",
        _ => "[grey]other[/]",
    };

    private static void WriteRows(Utf8JsonWriter json, string dataDirectory, List<Row> rows, bool verified)
    {
        json.WriteString("data_dir", dataDirectory);
        json.WriteBoolean("verified", verified);
        json.WriteStartArray("entries");
        foreach (Row row in rows)
        {
            SnapshotListing listing = row.Listing;
            json.WriteStartObject();
            json.WriteString("name", listing.Name);
            json.WriteString("snapshot_dir", listing.Directory);
            json.WriteString("kind", JsonOutput.SnakeCase(listing.Kind.ToString()));
            JsonOutput.WriteStringOrNull(json, "snapshot_id", listing.Id?.ToString());

            if (listing.CreatedAt is { } createdAt)
            {
                json.WriteString("created_at", createdAt.ToString());
            }
            else
            {
                json.WriteNull("created_at");
            }

            json.WriteNumber("bytes", listing.Bytes);
            json.WriteNumber("files", listing.Files);
            json.WriteString("status", JsonOutput.SnakeCase(row.Status.ToString()));
            JsonOutput.WriteStringIfPresent(json, "manifest_error", listing.ManifestError);
            if (row.Report is { } report)
            {
                JsonOutput.WriteProblems(json, "problems", report.Problems);
                JsonOutput.WriteProblems(json, "unlisted", report.Unlisted);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private enum Status
    {
        Valid,
        Corrupt,
        Incomplete,
        Unverified,
        Other,
    }

    private sealed record Row(SnapshotListing Listing, Status Status, VerificationReport? Report);
}
