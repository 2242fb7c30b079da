using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// <c>aerosnap restore</c> of a data directory from one of its own snapshots, SIGKILLed at random
/// moments: a quarter uniformly over the whole measured run (start-up included), three quarters
/// after the new directory beside the target appears (inotify), over its measured lifetime (the
/// copy, the empty WAL, the moves, the exchange, the tidying up), where start-up cannot dilute them. Whatever the moment, the data directory is afterwards either exactly
/// as it was or exactly what an uninterrupted restore makes of it (the snapshot's storage and
/// schemas, an empty WAL, its snapshots/ and LOCK), never a mix; <c>aerosnap clean</c> then leaves
/// nothing beside it, and the next restore completes.
/// </summary>
/// <remarks>
/// <c>AEROSNAP_RESTORE_KILL_TRIALS</c> sets the number of trials (40 by default),
/// <c>AEROSNAP_KILL_SEED</c> repeats a run's kill moments.
/// </remarks>
[Collection(ReliabilitySuites.Name)]
public sealed class RestoreKillTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    private readonly DataDirectory _dir = new(storageBytes: (4 << 20) + 123);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Restore_killed_at_any_moment_leaves_the_data_directory_as_it_was_or_fully_restored()
    {
        int seed = Knobs.Int("AEROSNAP_KILL_SEED", Random.Shared.Next());
        int trials = Knobs.Int("AEROSNAP_RESTORE_KILL_TRIALS", 40);
        output.WriteLine($"restore kill suite: seed {seed}, {trials} trials");
        var rng = new Random(seed);

        // The data directory moved on after its snapshot: new storage, a new schema, WAL records,
        // a checkpoint marker, a LOCK (as AeroDB leaves it).
        string id = _dir.CreateSnapshot();
        File.WriteAllBytes(_dir.StoragePath, [.. Enumerable.Range(0, 70_000).Select(static i => (byte)(i * 7))]);
        _dir.WriteSchema("later.json", """{"later":true}""");
        File.AppendAllText(Path.Join(_dir.Data, "wal", "wal.log"), "lsn=2 put users/2\n");
        File.WriteAllText(Path.Join(_dir.Data, "checkpoint.json"), "{}");
        File.WriteAllText(_dir.LockPath, string.Empty);

        string pristine = Path.Join(_dir.Root, "pristine");
        Copy(_dir.Data, pristine);
        List<string> before = Listing(_dir.Data);

        // What an uninterrupted restore makes of it, measured three times for the kill windows.
        using var watcher = new SiblingWatcher(_dir.Root);
        var durations = new List<double>();
        var lifetimes = new List<double>();
        List<string>? restored = null;
        for (int i = 0; i < 3; i++)
        {
            Reset(pristine);
            var calibration = Stopwatch.StartNew();
            watcher.Reset(calibration);
            using RunningCli run = RunningCli.Start(calibration, "restore", _dir.SnapshotPath(id), _dir.Data, "--json");
            CliResult result = run.Wait(ProcessTimeout);
            Assert.True(result.ExitCode == 0, result.ToString());
            double appeared = watcher.WaitForSibling(run) ?? throw new InvalidOperationException("no sibling directory was seen during a restore");
            durations.Add(result.Elapsed.TotalMilliseconds);
            lifetimes.Add(run.ExitedAt.TotalMilliseconds - appeared);
            restored = Listing(_dir.Data);
        }

        Assert.NotEqual(before, restored);
        double window = durations.Order().ElementAt(1) * 1.2;
        double lifetime = lifetimes.Order().ElementAt(1) * 1.2;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {window / 1.2:F0} ms, sibling lifetime {lifetime / 1.2:F0} ms (medians)"));
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int trial = 1; trial <= trials; trial++)
        {
            bool anywhere = trial % 4 == 0;
            double fraction = rng.NextDouble();
            Reset(pristine);
            var clock = Stopwatch.StartNew();
            watcher.Reset(clock);
            using RunningCli restore = RunningCli.Start(clock, "restore", _dir.SnapshotPath(id), _dir.Data, "--json");
            string point;
            if (anywhere)
            {
                KillTests.WaitUntil(clock, restore.StartedAt + TimeSpan.FromMilliseconds(fraction * window));
                point = string.Create(CultureInfo.InvariantCulture, $"{fraction * window:F1} ms after start");
            }
            else if (watcher.WaitForSibling(restore) is { } appeared)
            {
                KillTests.WaitUntil(clock, TimeSpan.FromMilliseconds(appeared + (fraction * lifetime)));
                point = string.Create(CultureInfo.InvariantCulture, $"{fraction * lifetime:F1} ms after the new directory appeared");
            }
            else
            {
                point = "no new directory seen";
            }

            bool killed = restore.Kill();
            CliResult result = restore.Wait(ProcessTimeout);
            string context = $"seed {seed}, trial {trial}, kill {point}";

            List<string> after = Listing(_dir.Data);
            string state = after.SequenceEqual(before) ? "as before" : after.SequenceEqual(restored!) ? "restored" : "mixed";
            if (!killed)
            {
                Assert.True(result.ExitCode == 0, $"{context}: not killed but failed: {result}");
                Assert.Equal("restored", state);
            }

            // A kill between the moves and the exchange leaves entries beside the target (state
            // "mixed" in place): clean must put them back. Nothing else may ever be mixed.
            CliResult clean = CliProcess.Run("clean", _dir.Data, "--json");
            Assert.True(clean.ExitCode == 0, $"{context}: clean failed: {clean}");
            List<string> cleaned = Listing(_dir.Data);
            string recovered = cleaned.SequenceEqual(before) ? "as before" : cleaned.SequenceEqual(restored!) ? "restored" : "mixed";
            Assert.True(recovered != "mixed", $"{context}: after clean the data directory is neither as before nor restored: {string.Join(" | ", cleaned.Except(before).Except(restored!).Take(6))}");
            Assert.Empty(Siblings());

            string outcome = $"{(killed ? "killed" : "finished")}: {state}, after clean {recovered}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;

            CliResult again = CliProcess.Run("restore", _dir.SnapshotPath(id), _dir.Data, "--json");
            Assert.True(again.ExitCode == 0, $"{context}: the next restore failed: {again}");
            Assert.Equal(restored, Listing(_dir.Data));
        }

        foreach ((string outcome, int count) in outcomes)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count,3}  {outcome}"));
        }

        // The window must have caught the restore mid-way, not only before or after it.
        Assert.Contains(outcomes.Keys, static o => o.StartsWith("killed", StringComparison.Ordinal));
    }

    /// <summary>Notes (inotify) when a restore's new directory appears beside the target.</summary>
    private sealed class SiblingWatcher : IDisposable
    {
        private readonly FileSystemWatcher _watcher;
        private readonly ManualResetEventSlim _appeared = new();
        private Stopwatch _clock = new();
        private double _appearedAt;

        public SiblingWatcher(string parent)
        {
            _watcher = new FileSystemWatcher(parent) { NotifyFilter = NotifyFilters.DirectoryName };
            _watcher.Created += (_, e) =>
            {
                if (e.Name?.StartsWith(".data.restore-", StringComparison.Ordinal) == true && !_appeared.IsSet)
                {
                    _appearedAt = _clock.Elapsed.TotalMilliseconds;
                    _appeared.Set();
                }
            };
            _watcher.EnableRaisingEvents = true;
        }

        public void Reset(Stopwatch clock)
        {
            _clock = clock;
            _appeared.Reset();
        }

        /// <summary>When the new directory appeared, in ms on the trial's clock; null if the process ended first.</summary>
        public double? WaitForSibling(RunningCli restore)
        {
            while (!_appeared.Wait(5))
            {
                if (restore.HasExited)
                {
                    return _appeared.Wait(200) ? _appearedAt : null;
                }
            }

            return _appearedAt;
        }

        public void Dispose()
        {
            _watcher.Dispose();
            _appeared.Dispose();
        }
    }

    private List<string> Siblings() => Directory.EnumerateFileSystemEntries(_dir.Root)
        .Select(static p => Path.GetFileName(p))
        .Where(static n => n.StartsWith(".data.restore-", StringComparison.Ordinal))
        .ToList();

    private void Reset(string pristine)
    {
        foreach (string sibling in Siblings())
        {
            ExternalCommand.Run("rm", "-rf", Path.Join(_dir.Root, sibling));
        }

        ExternalCommand.Run("rm", "-rf", _dir.Data);
        Copy(pristine, _dir.Data);
    }

    private static void Copy(string from, string to) => ExternalCommand.Run("cp", "-a", from, to);

    /// <summary>Every entry below <paramref name="root"/> with its kind and, for files, its CRC-32 and length.</summary>
    private static List<string> Listing(string root)
    {
        var lines = new List<string>();
        if (!Directory.Exists(root))
        {
            return ["(missing)"];
        }

        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, path);
            lines.Add(Directory.Exists(path)
                ? relative + "/"
                : string.Create(CultureInfo.InvariantCulture, $"{relative} {new FileInfo(path).Length} {Crc32.HashToUInt32(File.ReadAllBytes(path)):x8}"));
        }

        return lines;
    }
}
