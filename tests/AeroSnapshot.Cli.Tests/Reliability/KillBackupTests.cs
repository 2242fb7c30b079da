using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Hashing;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Suite 2 for <c>aerosnap backup</c>: the tool is SIGKILLed at seeded moments spread over a
/// measured backup, from runtime start-up to after exit. After each kill there is no file at
/// <c>--output</c>, or a complete archive that <c>verify-backup</c> accepts and whose snapshot the
/// independent oracle accepts against the source bytes (and whose WAL is the WAL byte for byte); the
/// data directory is exactly as before (names, sizes, CRC-32s). A kill mid-write leaves the
/// temporary <c>.&lt;name&gt;.partial</c> beside the output (nothing else can remove a file whose
/// writer is dead); the next backup to that output takes its lock, finds it stale, removes it and
/// succeeds, leaving none. <c>aerosnap clean</c> works on a data directory and does not look beside
/// an output, which this suite also pins.
/// </summary>
/// <remarks>
/// <c>AEROSNAP_KILL_SEED</c> repeats a run's kill points; <c>AEROSNAP_KILL_BACKUP_TRIALS</c> sets
/// the number of trials (24 by default).
/// </remarks>
[Collection(ReliabilitySuites.Name)]
public sealed class KillBackupTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);
    private readonly DataDirectory _dir = new(storageBytes: (32 << 20) + 11);
    private readonly byte[] _wal = BackupCommandTests.FramedWal(400);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_backup_killed_at_any_moment_leaves_no_archive_or_a_complete_valid_one_and_the_data_directory_untouched()
    {
        int seed = Knobs.Int("AEROSNAP_KILL_SEED", Random.Shared.Next());
        int trials = Knobs.Int("AEROSNAP_KILL_BACKUP_TRIALS", 24);
        output.WriteLine($"backup kill suite: seed {seed} (AEROSNAP_KILL_SEED), {trials} trials (AEROSNAP_KILL_BACKUP_TRIALS)");
        var rng = new Random(seed);
        var suiteClock = Stopwatch.StartNew();
        File.WriteAllBytes(Path.Join(_dir.Data, "wal", "wal.log"), _wal);
        _dir.CreateSnapshot();
        ExpectedContent expected = ExpectedContent.Read(_dir.StoragePath, _dir.SchemasPath);
        string outputs = Path.Join(_dir.Root, "out");
        Directory.CreateDirectory(outputs);
        Dictionary<string, string> dataBefore = Listing(_dir.Data);

        var fulls = new List<double>();
        for (int run = 0; run < 3; run++)
        {
            string probe = Path.Join(outputs, $"probe{run}.tar");
            CliResult result = CliProcess.Run("backup", _dir.Data, "--output", probe, "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JudgeArchive(probe, expected, "probe");
            File.Delete(probe);
            if (run > 0)
            {
                fulls.Add(result.Elapsed.TotalMilliseconds);
            }
        }

        double full = fulls.Order().ElementAt(fulls.Count / 2);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"measured backup of a {new FileInfo(_dir.StoragePath).Length} B snapshot and a {_wal.Length} B WAL: {full:F0} ms start to exit"));

        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int partialsRemovedByNextBackup = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            string archive = Path.Join(outputs, $"t{trial}.tar");
            string partial = Path.Join(outputs, $".t{trial}.tar.partial");

            // Stratified over 0 .. 1.2 × the measured run: start-up, the archive write, publication, after exit.
            double at = ((trial + rng.NextDouble()) / trials) * 1.2 * full;
            var clock = Stopwatch.StartNew();
            using RunningCli backup = RunningCli.Start(clock, "backup", _dir.Data, "--output", archive, "--json");
            KillTests.WaitUntil(clock, TimeSpan.FromMilliseconds(backup.StartedAt.TotalMilliseconds + at));
            bool killed = backup.Kill();
            CliResult result = backup.Wait(ProcessTimeout);
            string context = string.Create(CultureInfo.InvariantCulture, $"seed {seed}, trial {trial}, kill {at:F1} ms after start");
            Assert.True(killed || result.ExitCode == 0, $"{context}: not killed, yet it failed: {result}");

            string state;
            if (File.Exists(archive))
            {
                JudgeArchive(archive, expected, context);
                state = "complete archive, verified";
            }
            else
            {
                state = "no archive";
            }

            bool partialLeft = File.Exists(partial);
            Assert.False(partialLeft && File.Exists(archive), $"{context}: both the archive and its partial file exist");
            Assert.True(
                Directory.EnumerateFileSystemEntries(outputs).Select(Path.GetFileName).All(n => n == $"t{trial}.tar" || n == $".t{trial}.tar.partial"),
                $"{context}: unexpected files beside the output: {string.Join(", ", Directory.EnumerateFileSystemEntries(outputs))}");
            AssertSameListing(dataBefore, Listing(_dir.Data), context);

            if (partialLeft)
            {
                // clean is about a data directory: it leaves the output's directory alone.
                CliResult clean = CliProcess.Run("clean", _dir.Data, "--json");
                Assert.True(clean.ExitCode == 0, $"{context}: {clean}");
                Assert.True(File.Exists(partial), $"{context}: clean removed a file beside the output");
                AssertSameListing(dataBefore, Listing(_dir.Data), context + ", after clean");

                CliResult next = CliProcess.Run("backup", _dir.Data, "--output", archive, "--json");
                Assert.True(next.ExitCode == 0, $"{context}: the next backup to the same output failed: {next}");
                Assert.False(File.Exists(partial), $"{context}: the next backup left the stale partial file");
                JudgeArchive(archive, expected, context + ", next backup");
                partialsRemovedByNextBackup++;
            }

            string outcome = $"{(killed ? "killed" : "finished")}: {state}{(partialLeft ? ", partial file left (removed by the next backup)" : string.Empty)}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            output.WriteLine($"trial {trial}: {at:F1} ms: {outcome}");
            File.Delete(archive);
        }

        output.WriteLine($"{trials} trials in {suiteClock.Elapsed.TotalSeconds:F1} s:");
        foreach ((string outcome, int count) in outcomes)
        {
            output.WriteLine($"  {count,4}  {outcome}");
        }

        output.WriteLine($"partial files left by a kill and removed by the next backup: {partialsRemovedByNextBackup}; data directory unchanged after every trial");
        Assert.True(partialsRemovedByNextBackup > 0, "no kill landed while the archive was being written: the suite proved nothing about that window");
    }

    /// <summary>A complete archive: the tool verifies it, and, independently, its snapshot and WAL are the sources' bytes.</summary>
    private void JudgeArchive(string archive, ExpectedContent expected, string context)
    {
        CliResult verify = CliProcess.Run("verify-backup", archive, "--json");
        Assert.True(verify.ExitCode == 0, $"{context}: the archive at the output does not verify: {verify}");

        string unpacked = Path.Join(_dir.Root, "unpacked-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(unpacked);
        try
        {
            TarFile.ExtractToDirectory(archive, unpacked, overwriteFiles: false);
            // The oracle reads the snapshot's id from its directory name, as it is under snapshots/.
            using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Join(unpacked, "snapshot", "manifest.json")));
            string asSnapshot = Path.Join(unpacked, manifest.RootElement.GetProperty("snapshot_id").GetString());
            Directory.Move(Path.Join(unpacked, "snapshot"), asSnapshot);
            List<string> problems = IndependentSnapshotOracle.Judge(asSnapshot, expected);
            Assert.True(problems.Count == 0, $"{context}: the oracle rejects the archived snapshot: {string.Join("; ", problems)}");
            Assert.True(File.ReadAllBytes(Path.Join(unpacked, "wal", "wal.log")).AsSpan().SequenceEqual(_wal), $"{context}: the archived WAL is not the WAL");
            Assert.True(File.Exists(Path.Join(unpacked, "backup_manifest.json")), $"{context}: no backup_manifest.json");
        }
        finally
        {
            Directory.Delete(unpacked, recursive: true);
        }
    }

    /// <summary>Every file and directory under <paramref name="root"/>: size and CRC-32 (directories: "dir").</summary>
    private static Dictionary<string, string> Listing(string root)
    {
        var listing = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, entry);
            listing[relative] = Directory.Exists(entry)
                ? "dir"
                : string.Create(CultureInfo.InvariantCulture, $"{new FileInfo(entry).Length} {Crc32.HashToUInt32(File.ReadAllBytes(entry)):x8}");
        }

        return listing;
    }

    private static void AssertSameListing(Dictionary<string, string> before, Dictionary<string, string> after, string context)
    {
        string[] changed = [.. before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).Order(StringComparer.Ordinal)];
        Assert.True(changed.Length == 0, $"{context}: the data directory changed: {string.Join(", ", changed.Select(k => $"{k}: {before.GetValueOrDefault(k) ?? "absent"} -> {after.GetValueOrDefault(k) ?? "absent"}"))}");
    }
}
