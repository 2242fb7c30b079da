using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AeroSnapshot.Cli.Demo;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap demo</c>: builds a data directory, snapshots it, verifies it, and says how fast.</summary>
internal static class DemoCommand
{
    private const long DefaultSize = 256L * 1024 * 1024;

    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var dir = new Option<string>("--dir")
        {
            Description = "Where to build the demo data directory; must not exist or be empty [default: a new folder aerosnap-demo-* under the system temp directory]",
            HelpName = "path",
        };
        // No DefaultValueFactory: help would print the default as 268435456; it says 256MiB,
        // the way it is typed, and a missing --size means the default.
        var size = new Option<long?>("--size")
        {
            Description = $"Size of the demo storage file: {ByteSize.Forms} [default: {ByteSize.FormatInput(DefaultSize)}]",
            HelpName = "size",
            CustomParser = static result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (ByteSize.TryParse(text, out long bytes))
                {
                    return bytes;
                }

                result.AddError($"Invalid size '{text}' for --size: use {ByteSize.Forms}.");
                return 0;
            },
        };
        var precopy = new Option<bool>("--precopy")
        {
            Description = "Then show the pause with a pre-copy: copy before pausing writes, append 1 MiB to storage.dat as a running "
                + "database would, and take a second snapshot that copies only what changed inside the pause.",
        };
        var command = new Command(
            "demo",
            "Build a demo data directory (a storage file of --size with deterministic content, a nested schema tree, a WAL), "
            + "take a snapshot of it, verify the snapshot, and report throughput and the pause (time the execution lock was held).")
        {
            dir,
            size,
            precopy,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            string? given = context.ParseResult.GetValue(dir);
            string directory = Path.GetFullPath(given ?? DemoDataDirectory.DefaultDirectory());
            long bytes = context.ParseResult.GetValue(size) ?? DefaultSize;
            DemoDataDirectory.RequireEmpty(directory);
            DataPaths paths = DataPaths.Defaults(directory);
            CliOutput output = context.Output;

            output.Line(given is null
                ? $"Demo data directory: {directory} (a new folder under the system temp directory, {Path.GetTempPath()})"
                : $"Demo data directory: {directory}");

            long start = Stopwatch.GetTimestamp();
            DemoContents contents = ProgressDisplay.Run(output, "build", progress => DemoDataDirectory.Build(paths, bytes, progress, context.Cancellation));
            TimeSpan buildTime = Stopwatch.GetElapsedTime(start);
            output.Line($"Built it in {Human.Duration(buildTime)}:");
            output.Line($"  storage.dat        {ByteSize.Format(contents.StorageBytes)} of a xorshift64 stream (seed 0x{DemoDataDirectory.Seed:X16}), written in 1 MiB chunks, fsynced");
            output.Line($"  metadata/schemas/  {Human.Count(contents.SchemaFiles, "JSON schema file")} in {Human.Count(contents.SchemaDirectories, "nested directory", "nested directories")}, {ByteSize.Format(contents.SchemaBytes)}");
            output.Line($"  wal/wal.log        {ByteSize.Format(contents.WalBytes)}");

            using var manager = new SnapshotManager();
            CreatedSnapshot created = ProgressDisplay.Run(output, "snapshot", progress => SnapshotTaker.Take(manager, paths, context.Options(progress)));
            output.Line($"Snapshot {created.Id}: {created.Directory}");
            output.Line($"  copied {ByteSize.Format(created.Bytes)} in {Human.Count(created.Files, "file")} ({CreateCommand.FileBreakdown(created.Files)}) at {Human.Rate(created.Bytes, created.Total)}{(created.Result.StorageCopy == StorageCopyMethod.Reflinked ? ", storage cloned (reflink)" : string.Empty)}");

            output.Line($"  pause  {Human.Duration(created.Pause)} (the execution lock was held: WAL fsync, storage and schemas copied with CRC-32 or cloned)");
            output.Line($"  total  {Human.Duration(created.Total)} until published (after the lock: a clone's CRC-32, fsyncs, manifest, publish)");

            start = Stopwatch.GetTimestamp();
            VerificationReport report = ProgressDisplay.Run(output, "verify", progress => manager.Verify(created.Directory, context.Options(progress)));
            TimeSpan verifyTime = Stopwatch.GetElapsedTime(start);
            VerifyCommand.Print(output, report, verifyTime);
            (CreatedSnapshot Snapshot, VerificationReport Report, TimeSpan VerifyTime)? second = null;
            if (context.ParseResult.GetValue(precopy))
            {
                second = WithPrecopy(context, manager, paths, created);
            }

            output.Line($"Try: aerosnap list {Quote(directory)} --verify   |   rm -rf {Quote(directory)} when done");

            output.JsonDocument(json =>
            {
                json.WriteString("data_dir", directory);
                json.WriteBoolean("default_dir", given is null);
                json.WriteStartObject("built");
                json.WriteNumber("storage_bytes", contents.StorageBytes);
                json.WriteString("storage_seed", string.Create(CultureInfo.InvariantCulture, $"0x{DemoDataDirectory.Seed:X16}"));
                json.WriteNumber("schema_files", contents.SchemaFiles);
                json.WriteNumber("schema_bytes", contents.SchemaBytes);
                json.WriteNumber("wal_bytes", contents.WalBytes);
                JsonOutput.WriteMilliseconds(json, "elapsed_ms", buildTime);
                json.WriteEndObject();
                json.WriteStartObject("snapshot");
                CreateCommand.WriteFields(json, paths, created);
                json.WriteEndObject();
                json.WriteStartObject("verification");
                VerifyCommand.WriteReport(json, report, verifyTime);
                json.WriteEndObject();
                if (second is { } precopied)
                {
                    json.WriteStartObject("precopy_snapshot");
                    CreateCommand.WriteFields(json, paths, precopied.Snapshot);
                    json.WriteEndObject();
                    json.WriteStartObject("precopy_verification");
                    VerifyCommand.WriteReport(json, precopied.Report, precopied.VerifyTime);
                    json.WriteEndObject();
                }
            });
            return report.IsValid && second?.Report.IsValid != false ? ExitCodes.Success : ExitCodes.Corruption;
        }, cancellation);
        return command;
    }

    /// <summary>
    /// The same data directory again, now with a pre-copy: copied before the pause, 1 MiB appended
    /// meanwhile (the database goes on writing), then the pause copies only that tail.
    /// </summary>
    private static (CreatedSnapshot Snapshot, VerificationReport Report, TimeSpan VerifyTime) WithPrecopy(
        CommandContext context, SnapshotManager manager, DataPaths paths, CreatedSnapshot plain)
    {
        CliOutput output = context.Output;
        const int Appended = 1 << 20;
        DateTime plainDone = DateTime.UtcNow;
        CreatedSnapshot created = ProgressDisplay.Run(output, "snapshot", progress => SnapshotTaker.Take(manager, paths, context.Options(progress), precopy: true, afterPrecopy: () =>
        {
            byte[] tail = new byte[Appended];
            new Random(unchecked((int)DemoDataDirectory.Seed)).NextBytes(tail);
            using (FileStream storage = new(paths.Storage, FileMode.Append, FileAccess.Write))
            {
                storage.Write(tail);
            }

            // Snapshot ids are whole seconds: the second snapshot must not share the first one's.
            while (DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond <= plainDone.Ticks / TimeSpan.TicksPerSecond)
            {
                Thread.Sleep(20);
            }
        }));
        PrecopyTaken precopy = created.Precopy!;
        output.Line($"With a pre-copy (--precopy): {ByteSize.Format(precopy.StorageBytes + precopy.SchemaBytes)} copied before the pause in {Human.Duration(precopy.Duration)}, then {ByteSize.Format(Appended)} appended to storage.dat (the database goes on writing)");
        output.Line($"Snapshot {created.Id}: {created.Directory}");
        output.Line($"  pause  {Human.Duration(created.Pause)} (without the pre-copy: {Human.Duration(plain.Pause)}); in the pause: {PrecopyTaken.Describe(created.Result.Precopy!)}");
        long start = Stopwatch.GetTimestamp();
        VerificationReport report = ProgressDisplay.Run(output, "verify", progress => manager.Verify(created.Directory, context.Options(progress)));
        TimeSpan verifyTime = Stopwatch.GetElapsedTime(start);
        VerifyCommand.Print(output, report, verifyTime);
        return (created, report, verifyTime);
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"'{path}'" : path;
}
