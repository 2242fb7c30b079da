using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Suite 2 for <c>aerosnap checkpoint</c>: the tool is SIGKILLed at seeded moments, half spread over
/// the whole measured run (start-up included), half inside its own tail, after the snapshot was
/// published, where it writes the intent, the marker and resets the WAL. After each kill only these
/// states are allowed: the old WAL byte for byte and no <c>checkpoint.json</c>; or a durable
/// <c>checkpoint.json</c> naming a snapshot that the independent oracle accepts, with the WAL old or
/// empty (an empty WAL without the marker is the one forbidden state: the reset came first). Then
/// <c>aerosnap clean</c> must settle it: the old WAL and no marker (undone, or never begun), or an
/// empty WAL and the marker (finished), and nothing of the checkpoint's own left over.
/// </summary>
/// <remarks>
/// <c>AEROSNAP_KILL_SEED</c> repeats a run's kill points; <c>AEROSNAP_KILL_CHECKPOINT_TRIALS</c> sets
/// the number of trials (24 by default).
/// </remarks>
[Collection(ReliabilitySuites.Name)]
public sealed class KillCheckpointTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);
    private readonly DataDirectory _dir = new(storageBytes: (8 << 20) + 7);
    private readonly CheckpointStates _states;

    public KillCheckpointTests(ITestOutputHelper output)
    {
        _output = output;
        _states = new CheckpointStates(_dir, BackupCommandTests.FramedWal(600));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_checkpoint_killed_at_any_moment_leaves_the_old_wal_or_a_durable_marker_and_clean_settles_it()
    {
        int seed = Knobs.Int("AEROSNAP_KILL_SEED", Random.Shared.Next());
        int trials = Knobs.Int("AEROSNAP_KILL_CHECKPOINT_TRIALS", 24);
        _output.WriteLine($"checkpoint kill suite: seed {seed} (AEROSNAP_KILL_SEED), {trials} trials (AEROSNAP_KILL_CHECKPOINT_TRIALS)");
        var rng = new Random(seed);
        var suiteClock = Stopwatch.StartNew();
        _states.Reset();
        ExpectedContent expected = ExpectedContent.Read(_dir.StoragePath, _dir.SchemasPath);
        using var watcher = new PublishWatcher(_dir.SnapshotsPath);

        // Measured fault-free runs (the first one warms the caches and is not counted).
        var fulls = new List<double>();
        var tails = new List<double>();
        for (int run = 0; run < 3; run++)
        {
            _states.Reset();
            var clock = Stopwatch.StartNew();
            watcher.Reset(clock);
            using RunningCli probe = RunningCli.Start(clock, "checkpoint", _dir.Data, "--json");
            CliResult result = probe.Wait(ProcessTimeout);
            Assert.True(result.ExitCode == 0, result.ToString());
            double? published = watcher.WaitForPublish(probe);
            if (run > 0 && published is { } at)
            {
                fulls.Add(result.Elapsed.TotalMilliseconds);
                tails.Add(Math.Max(1, result.Elapsed.TotalMilliseconds - (at - probe.StartedAt.TotalMilliseconds)));
            }
        }

        Assert.True(fulls.Count > 0, "no measured checkpoint was seen publishing its snapshot");
        double full = fulls.Order().ElementAt(fulls.Count / 2);
        double tail = tails.Order().ElementAt(tails.Count / 2);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"measured checkpoint: {full:F0} ms start to exit, {tail:F0} ms of it after the snapshot was published"));

        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int trial = 0; trial < trials; trial++)
        {
            _states.Reset();
            bool inTail = trial % 2 == 1;
            double fraction = rng.NextDouble();
            var clock = Stopwatch.StartNew();
            watcher.Reset(clock);
            using RunningCli checkpoint = RunningCli.Start(clock, "checkpoint", _dir.Data, "--json");
            string point;
            if (!inTail)
            {
                KillTests.WaitUntil(clock, TimeSpan.FromMilliseconds(checkpoint.StartedAt.TotalMilliseconds + (fraction * full)));
                point = $"{fraction * full:F1} ms after start";
            }
            else if (watcher.WaitForPublish(checkpoint) is { } published)
            {
                // 1.5 × the measured tail: some kills land after exit, most inside the checkpoint's steps.
                KillTests.WaitUntil(clock, TimeSpan.FromMilliseconds(published + (fraction * 1.5 * tail)));
                point = $"{fraction * 1.5 * tail:F1} ms after the snapshot was published";
            }
            else
            {
                point = "publication not seen";
            }

            bool killed = checkpoint.Kill();
            CliResult result = checkpoint.Wait(ProcessTimeout);
            string context = $"seed {seed}, trial {trial}, kill {point}";
            Assert.True(killed || result.ExitCode == 0, $"{context}: not killed, yet it failed: {result}");

            string before = _states.BeforeClean(expected, context);
            CliResult clean = CliProcess.Run("clean", _dir.Data, "--json");
            Assert.True(clean.ExitCode == 0, $"{context}: clean failed: {clean}");
            string after = _states.AfterClean(expected, context);
            string outcome = $"{(killed ? "killed" : "finished")}: {before} -> after clean: {after}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            _output.WriteLine($"trial {trial}: {point}: {outcome}");

            if (trial % 4 == 3)
            {
                // The data directory is usable again: the next checkpoint runs to the end.
                CliResult next = CliProcess.Run("checkpoint", _dir.Data, "--json");
                Assert.True(next.ExitCode == 0 || next.Stdout.Contains("already exists", StringComparison.Ordinal), $"{context}: the next checkpoint failed: {next}");
            }
        }

        _output.WriteLine($"{trials} trials in {suiteClock.Elapsed.TotalSeconds:F1} s:");
        foreach ((string outcome, int count) in outcomes)
        {
            _output.WriteLine($"  {count,4}  {outcome}");
        }

        int inside = outcomes.Where(o => o.Key.Contains("intent", StringComparison.Ordinal) || o.Key.Contains("marker durable, WAL old", StringComparison.Ordinal)).Sum(o => o.Value);
        _output.WriteLine($"kills that left the checkpoint's own steps half done (intent or marker with the old WAL): {inside}");
    }

    /// <summary>inotify on <c>snapshots/</c>: when a staging directory is renamed into place, on the trial's clock.</summary>
    private sealed class PublishWatcher : IDisposable
    {
        private readonly FileSystemWatcher _watcher;
        private readonly ManualResetEventSlim _published = new();
        private readonly Lock _gate = new();
        private Stopwatch _clock = Stopwatch.StartNew();
        private double _publishedAt;

        public PublishWatcher(string snapshotsDirectory)
        {
            _watcher = new FileSystemWatcher(snapshotsDirectory) { NotifyFilter = NotifyFilters.DirectoryName };
            _watcher.Renamed += (_, e) =>
            {
                if (e.OldName?.StartsWith(".staging-", StringComparison.Ordinal) == true)
                {
                    lock (_gate)
                    {
                        if (!_published.IsSet)
                        {
                            _publishedAt = _clock.Elapsed.TotalMilliseconds;
                            _published.Set();
                        }
                    }
                }
            };
            _watcher.EnableRaisingEvents = true;
        }

        public void Reset(Stopwatch clock)
        {
            lock (_gate)
            {
                _clock = clock;
                _published.Reset();
            }
        }

        /// <summary>When the snapshot was published, in ms on the trial's clock; null if the process ended without that.</summary>
        public double? WaitForPublish(RunningCli process)
        {
            var grace = Stopwatch.StartNew();
            while (!_published.Wait(2))
            {
                if (!process.HasExited)
                {
                    grace.Restart();
                }
                else if (grace.ElapsedMilliseconds > 200)
                {
                    return null;
                }
            }

            lock (_gate)
            {
                return _publishedAt;
            }
        }

        public void Dispose()
        {
            _watcher.Dispose();
            _published.Dispose();
        }
    }
}
