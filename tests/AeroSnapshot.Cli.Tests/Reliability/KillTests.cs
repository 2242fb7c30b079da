using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Suite 2 of issue #7: <c>aerosnap create</c> is SIGKILLed at random moments, from before the
/// runtime has started to after the process has exited. Whatever the moment, the data directory
/// must hold the earlier snapshots intact plus at most the complete new one, and whatever a kill
/// left behind must go with <c>aerosnap clean</c> or the next create.
/// </summary>
/// <remarks>
/// <para>
/// Kills are placed over a measured create: calibration runs give the median times at which the
/// staging directory appears, is renamed into place, and the process exits. A quarter of the kills
/// fall uniformly before the staging directory appears (runtime start-up, parsing, LOCK); half fall
/// while it exists, a random fraction of its measured lifetime after inotify reports its creation;
/// a quarter fall after publication, up to half as long again as the measured tail to exit (those
/// may find the process gone). Anchoring the middle and late kills on the events, not on the clock,
/// keeps them inside the window even when the disk is slower or faster than during calibration.
/// </para>
/// <para>
/// Seeded: <c>AEROSNAP_KILL_SEED</c> repeats a run's kill fractions (a fresh seed is drawn and
/// printed otherwise); <c>AEROSNAP_KILL_TRIALS</c> changes the number of trials (200 by default).
/// </para>
/// </remarks>
[Collection(ReliabilitySuites.Name)]
public sealed class KillTests(ITestOutputHelper output) : IDisposable
{
    private const int RecalibrateEvery = 50;
    private const string MidCreate = "killed mid-create: only earlier snapshots, leftover staging";
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    private readonly DataDirectory _dir = new(storageBytes: (4 << 20) + 123);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Create_killed_at_any_moment_leaves_the_earlier_snapshots_intact_and_at_most_the_complete_new_one()
    {
        int seed = Knobs.Int("AEROSNAP_KILL_SEED", Random.Shared.Next());
        int trials = Knobs.Int("AEROSNAP_KILL_TRIALS", 200);
        output.WriteLine($"kill suite: seed {seed} (AEROSNAP_KILL_SEED={seed} repeats these kill points), {trials} trials (AEROSNAP_KILL_TRIALS)");
        var rng = new Random(seed);
        var suiteClock = Stopwatch.StartNew();

        using SnapshotInvariants invariants = EarlierSnapshots.In(_dir);
        using var watcher = new StagingWatcher(_dir.SnapshotsPath);
        Timeline timeline = Calibrate(invariants, watcher, warmUp: true);

        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var strata = new int[3];
        int cleanedByTool = 0, cleanedByNextCreate = 0, carriedOver = 0;
        for (int trial = 1; trial <= trials; trial++)
        {
            if (trial % RecalibrateEvery == 0)
            {
                // The disk's speed drifts (page cache, other work on the machine): measure again.
                timeline = Calibrate(invariants, watcher, warmUp: false);
            }

            // Drawn before the run, so a seed gives the same kill points whatever the timing.
            int stratum = (trial % 4) switch { 0 => 0, 3 => 2, _ => 1 };
            double fraction = rng.NextDouble();
            int leftoverChoice = rng.Next(3);
            strata[stratum]++;

            var clock = Stopwatch.StartNew();
            DateTime trialStart = DateTime.UtcNow;
            watcher.Reset(clock);
            using RunningCli create = RunningCli.Start(clock, "create", _dir.Data, "--json");
            string point = stratum switch
            {
                0 => KillAt(clock, create.StartedAt.TotalMilliseconds + (fraction * timeline.StagingMs), $"{fraction * timeline.StagingMs:F1} ms after start"),
                1 => watcher.WaitForStaging(create) is { } staged
                    ? KillAt(clock, staged + (fraction * timeline.StagingLifetimeMs), $"{fraction * timeline.StagingLifetimeMs:F1} ms after staging appeared")
                    : "no staging seen",
                _ => watcher.WaitForPublish(create) is { } published
                    ? KillAt(clock, published + (fraction * 1.5 * timeline.TailMs), $"{fraction * 1.5 * timeline.TailMs:F1} ms after publication")
                    : "no publication seen",
            };
            bool killed = create.Kill();
            CliResult result = create.Wait(ProcessTimeout);
            string context = $"seed {seed}, trial {trial}, kill {point}";

            Observation seen = invariants.Check(context);
            string outcome;
            if (!killed)
            {
                Assert.True(result.ExitCode == 0, $"{context}: the create was not killed but failed: {result}");
                Assert.True(seen.NewSnapshots.Count == 1, $"{context}: the create exited 0 but no new snapshot is valid: {result}");
                outcome = "finished before the kill: new snapshot valid";
            }
            else if (seen.NewSnapshots.Count == 1)
            {
                outcome = "killed after publishing: new snapshot complete and valid";
            }
            else if (seen.Leftovers.Any(name => Directory.GetLastWriteTimeUtc(Path.Join(_dir.SnapshotsPath, name)) >= trialStart - TimeSpan.FromMilliseconds(20)))
            {
                // Written during this trial (a leftover carried over from the previous one has an
                // older time, unless this create was killed while removing it, which also counts).
                outcome = MidCreate;
            }
            else
            {
                outcome = "killed before anything was written: only earlier snapshots";
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            invariants.Discard(seen.NewSnapshots);

            if (seen.Leftovers.Count > 0)
            {
                switch (leftoverChoice)
                {
                    case 0:
                        invariants.CleanWithTool(context);
                        cleanedByTool++;
                        break;
                    case 1:
                        // The next create that runs to the end removes leftovers before it builds anything.
                        CliResult next = CliProcess.Run("create", _dir.Data, "--json");
                        Assert.True(next.ExitCode == 0, $"{context}: the create after the kill failed: {next}");
                        Observation after = invariants.Check(context + ", after the next create");
                        Assert.True(after.Leftovers.Count == 0, $"{context}: the next create left {string.Join(", ", after.Leftovers)}");
                        Assert.Single(after.NewSnapshots);
                        invariants.Discard(after.NewSnapshots);
                        cleanedByNextCreate++;
                        break;
                    default:
                        // Left for the next trial, whose create (itself killed at random) removes them first.
                        carriedOver++;
                        break;
                }
            }
        }

        invariants.CleanWithTool($"seed {seed}, after the last trial");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{trials} trials in {suiteClock.Elapsed.TotalSeconds:F1} s; kill points: {strata[0]} before the staging directory appeared (start-up), {strata[1]} while it existed, {strata[2]} after publication (some after exit)"));
        foreach ((string outcome, int count) in outcomes)
        {
            output.WriteLine($"  {count,4}  {outcome}");
        }

        output.WriteLine($"leftovers removed by aerosnap clean: {cleanedByTool}, by the next create: {cleanedByNextCreate}, carried into the next (killed) trial: {carriedOver}; invariant violations: 0");

        // A run whose kills never landed inside the create would prove nothing about it.
        Assert.True(outcomes.GetValueOrDefault(MidCreate) * 10 >= trials, $"only {outcomes.GetValueOrDefault(MidCreate)} of {trials} kills landed while the staging directory existed");
    }

    private static string KillAt(Stopwatch clock, double atMs, string description)
    {
        WaitUntil(clock, TimeSpan.FromMilliseconds(atMs));
        return description;
    }

    /// <summary>
    /// Runs creates to the end (after one unmeasured warm-up run at the start: the first run pays
    /// for cold caches) and notes, from inotify events, when the staging directory appears and when
    /// it is renamed into place (a polling loop would take a core from the create it measures).
    /// </summary>
    private Timeline Calibrate(SnapshotInvariants invariants, StagingWatcher watcher, bool warmUp)
    {
        var staging = new List<double>();
        var lifetime = new List<double>();
        var tail = new List<double>();
        int runs = warmUp ? 4 : 3;
        for (int run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            watcher.Reset(clock);
            using RunningCli create = RunningCli.Start(clock, "create", _dir.Data, "--json");
            CliResult result = create.Wait(ProcessTimeout);
            Assert.True(result.ExitCode == 0, result.ToString());
            double? sawStaging = watcher.WaitForStaging(create);
            double? sawPublished = watcher.WaitForPublish(create);
            Observation seen = invariants.Check($"calibration run {run + 1}");
            invariants.Discard(seen.NewSnapshots);
            if ((warmUp && run == 0) || sawStaging is null || sawPublished is null)
            {
                continue;
            }

            double origin = create.StartedAt.TotalMilliseconds;
            staging.Add(sawStaging.Value - origin);
            lifetime.Add(Math.Max(1, sawPublished.Value - sawStaging.Value));
            tail.Add(Math.Max(1, result.Elapsed.TotalMilliseconds - (sawPublished.Value - origin)));
        }

        Assert.True(staging.Count > 0, "no calibration run was seen creating and publishing its staging directory");
        var timeline = new Timeline(Median(staging), Median(lifetime), Median(tail));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"measured create (median of {staging.Count}): staging appears {timeline.StagingMs:F0} ms after start, lives {timeline.StagingLifetimeMs:F0} ms until published, the process exits {timeline.TailMs:F0} ms later"));
        return timeline;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Sleeps most of the way, then spins: Thread.Sleep alone overshoots by a millisecond or more.</summary>
    /// <summary>Waits until <paramref name="deadline"/> on <paramref name="clock"/>: sleeps most of the way, spins the last milliseconds.</summary>
    internal static void WaitUntil(Stopwatch clock, TimeSpan deadline)
    {
        TimeSpan remaining = deadline - clock.Elapsed;
        if (remaining > TimeSpan.FromMilliseconds(3))
        {
            Thread.Sleep(remaining - TimeSpan.FromMilliseconds(2));
        }

        while (clock.Elapsed < deadline)
        {
            Thread.SpinWait(20);
        }
    }

    private sealed record Timeline(double StagingMs, double StagingLifetimeMs, double TailMs);

    /// <summary>
    /// inotify on <c>snapshots/</c>: when a <c>.staging-*</c> directory is created and when one is
    /// renamed into place, on the current trial's clock. Waiting costs no CPU.
    /// </summary>
    private sealed class StagingWatcher : IDisposable
    {
        private readonly FileSystemWatcher _watcher;
        private readonly ManualResetEventSlim _staged = new();
        private readonly ManualResetEventSlim _published = new();
        private readonly Lock _gate = new();
        private Stopwatch _clock = Stopwatch.StartNew();
        private double _stagedAt;
        private double _publishedAt;

        public StagingWatcher(string snapshotsDirectory)
        {
            _watcher = new FileSystemWatcher(snapshotsDirectory) { NotifyFilter = NotifyFilters.DirectoryName, IncludeSubdirectories = false };
            _watcher.Created += (_, e) =>
            {
                if (e.Name?.StartsWith(".staging-", StringComparison.Ordinal) == true)
                {
                    Mark(_staged, ref _stagedAt);
                }
            };
            _watcher.Renamed += (_, e) =>
            {
                if (e.OldName?.StartsWith(".staging-", StringComparison.Ordinal) == true)
                {
                    Mark(_published, ref _publishedAt);
                }
            };
            _watcher.EnableRaisingEvents = true;
        }

        public void Reset(Stopwatch clock)
        {
            lock (_gate)
            {
                _clock = clock;
                _staged.Reset();
                _published.Reset();
            }
        }

        /// <summary>When the staging directory appeared, in ms on the trial's clock; null if the process ended without one.</summary>
        public double? WaitForStaging(RunningCli create) => Wait(_staged, () => _stagedAt, create);

        /// <summary>When the snapshot was renamed into place; null if the process ended without that.</summary>
        public double? WaitForPublish(RunningCli create) => Wait(_published, () => _publishedAt, create);

        public void Dispose()
        {
            _watcher.Dispose();
            _staged.Dispose();
            _published.Dispose();
        }

        private void Mark(ManualResetEventSlim signal, ref double at)
        {
            lock (_gate)
            {
                if (!signal.IsSet)
                {
                    at = _clock.Elapsed.TotalMilliseconds;
                    signal.Set();
                }
            }
        }

        private double? Wait(ManualResetEventSlim signal, Func<double> at, RunningCli create)
        {
            // Events arrive a moment after the fact; once the process has exited, allow them 200 ms.
            var grace = Stopwatch.StartNew();
            while (!signal.Wait(2))
            {
                if (!create.HasExited)
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
                return at();
            }
        }
    }
}
