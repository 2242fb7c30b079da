using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// <c>aerosnap create --precopy</c> SIGKILLed at random moments over its whole run: start-up, the
/// pre-copy (writing <c>snapshots/.precopy-*</c>), the pause (the pre-copy renamed to
/// <c>.staging-&lt;id&gt;</c>, the tail appended) and publication. The earlier snapshots must stay
/// intact, at most the complete new one may appear, and whatever the kill left must go with
/// <c>aerosnap clean</c> or the next <c>create --precopy</c>.
/// </summary>
/// <remarks>
/// Kill times are uniform over 1.2 times the measured length of an unkilled run. Seeded like the
/// create kill suite: <c>AEROSNAP_KILL_SEED</c>; <c>AEROSNAP_PRECOPY_KILL_TRIALS</c> (30 by default).
/// </remarks>
[Collection(ReliabilitySuites.Name)]
public sealed class PrecopyKillTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    // Large enough that the pre-copy takes a measurable share of the run.
    private readonly DataDirectory _dir = new(storageBytes: (24 << 20) + 123);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Create_with_precopy_killed_at_any_moment_leaves_the_earlier_snapshots_intact_and_at_most_the_complete_new_one()
    {
        int seed = Knobs.Int("AEROSNAP_KILL_SEED", Random.Shared.Next());
        int trials = Knobs.Int("AEROSNAP_PRECOPY_KILL_TRIALS", 30);
        output.WriteLine($"precopy kill suite: seed {seed}, {trials} trials");
        var rng = new Random(seed);
        using SnapshotInvariants invariants = EarlierSnapshots.In(_dir);

        // Calibration: the length of an unkilled run, start to exit.
        var runs = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using RunningCli run = RunningCli.Start(clock, "create", _dir.Data, "--precopy", "--json");
            CliResult result = run.Wait(ProcessTimeout);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("\"storage\": \"appended\"", result.Stdout, StringComparison.Ordinal);
            runs.Add(run.ExitedAt.TotalMilliseconds);
            Observation seen = invariants.Check($"calibration run {i}");
            Assert.Empty(seen.Leftovers);
            invariants.Discard(seen.NewSnapshots);
        }

        double runMs = runs.Order().ElementAt(1);
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int trial = 1; trial <= trials; trial++)
        {
            double at = rng.NextDouble() * 1.2 * runMs;
            bool cleanWithTool = rng.Next(2) == 0;
            var clock = Stopwatch.StartNew();
            using RunningCli create = RunningCli.Start(clock, "create", _dir.Data, "--precopy", "--json");
            KillTests.WaitUntil(clock, TimeSpan.FromMilliseconds(at));
            bool killed = create.Kill();
            CliResult result = create.Wait(ProcessTimeout);
            string context = string.Create(CultureInfo.InvariantCulture, $"seed {seed}, trial {trial}, kill at {at:F0} ms of {runMs:F0}");

            Observation seen = invariants.Check(context);
            string outcome = !killed ? "finished before the kill"
                : seen.NewSnapshots.Count == 1 ? "killed after publishing"
                : seen.Leftovers.Any(static n => n.StartsWith(".staging-", StringComparison.Ordinal)) ? "killed in the pause (staging left)"
                : seen.Leftovers.Any(static n => n.StartsWith(".precopy-", StringComparison.Ordinal)) ? "killed in the pre-copy (.precopy- left)"
                : "killed before anything was written";
            if (!killed)
            {
                Assert.True(result.ExitCode == 0 && seen.NewSnapshots.Count == 1, $"{context}: not killed, but no new valid snapshot: {result}");
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            invariants.Discard(seen.NewSnapshots);
            if (seen.Leftovers.Count > 0)
            {
                if (cleanWithTool)
                {
                    invariants.CleanWithTool(context);
                }
                else
                {
                    CliResult next = CliProcess.Run("create", _dir.Data, "--precopy", "--json");
                    Assert.True(next.ExitCode == 0, $"{context}: the create after the kill failed: {next}");
                    Observation after = invariants.Check(context + ", after the next create");
                    Assert.True(after.Leftovers.Count == 0, $"{context}: the next create left {string.Join(", ", after.Leftovers)}");
                    invariants.Discard(after.NewSnapshots);
                }
            }
        }

        invariants.CleanWithTool($"seed {seed}, after the last trial");
        foreach ((string outcome, int count) in outcomes)
        {
            output.WriteLine($"  {count,3}  {outcome}");
        }
    }
}
