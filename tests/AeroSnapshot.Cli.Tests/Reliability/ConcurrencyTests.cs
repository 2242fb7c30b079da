using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AeroSnapshot.Fast;
using Microsoft.Win32.SafeHandles;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Suite 6 of issue #7: concurrency. Two <c>aerosnap create</c> processes on one data directory at
/// once, many rounds: the data directory's LOCK lets one work at a time, the other fails at once
/// with the lock message, and nothing is ever corrupt. Then many threads of one process calling
/// <see cref="SnapshotManager.CreateSnapshot(string, string, string, IWalDurability, IExecutionLock, SnapshotOptions?, CancellationToken)"/>
/// on one shared manager, with and without the global execution lock.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed class ConcurrencyTests(ITestOutputHelper output) : IDisposable
{
    private const int EWOULDBLOCK = 11;
    private const int EEXIST = 17;
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    private readonly DataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <remarks><c>AEROSNAP_CONCURRENCY_ROUNDS</c> changes the number of rounds (30 by default).</remarks>
    [Fact]
    public void Two_creates_started_together_take_one_snapshot_at_a_time_and_the_loser_fails_at_once_and_cleanly()
    {
        int rounds = Knobs.Int("AEROSNAP_CONCURRENCY_ROUNDS", 30);
        var suite = Stopwatch.StartNew();
        using SnapshotInvariants invariants = EarlierSnapshots.In(_dir);
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var loserMs = new List<double>();
        int loserExitedFirst = 0;
        for (int round = 1; round <= rounds; round++)
        {
            // Every round starts in a second no earlier snapshot has, so a collision can only come
            // from the two processes of this round.
            WaitForNextSecond();
            string context = $"round {round}";
            var clock = Stopwatch.StartNew();
            using RunningCli first = RunningCli.Start(clock, "create", _dir.Data, "--json");
            using RunningCli second = RunningCli.Start(clock, "create", _dir.Data, "--json");
            CliResult a = first.Wait(ProcessTimeout);
            CliResult b = second.Wait(ProcessTimeout);

            Observation seen = invariants.Check(context, maxNew: 2);
            Assert.True(seen.Leftovers.Count == 0, $"{context}: {string.Join(", ", seen.Leftovers)} left behind\n{a}\n{b}");
            string outcome;
            if (a.ExitCode == 0 && b.ExitCode == 0)
            {
                Assert.Equal(2, seen.NewSnapshots.Count);
                outcome = "both succeeded, one after the other, in different seconds";
            }
            else
            {
                Assert.True((a.ExitCode == 0) != (b.ExitCode == 0), $"{context}: expected one success and one failure:\n{a}\n{b}");
                (CliResult loser, RunningCli loserProcess, RunningCli winnerProcess) = a.ExitCode != 0 ? (a, first, second) : (b, second, first);
                Assert.Single(seen.NewSnapshots);
                (string? code, int? errno, _, string? path, string? message) = CliJson.Error(loser);
                Assert.True(code == SnapshotErrorCode.Failed, $"{context}: the loser's error is not AERO_SNAPSHOT_FAILED:\n{loser}");
                if (errno == EWOULDBLOCK)
                {
                    // EWOULDBLOCK comes only from a non-blocking flock: the loser did not wait.
                    Assert.True(loser.ExitCode == 11, $"{context}: the data directory was in use, expected exit 11:\n{loser}");
                    Assert.Equal(_dir.LockPath, path);
                    Assert.Contains("is in use: another process holds the lock", message, StringComparison.Ordinal);
                    Assert.Contains("aerosnap: AERO_SNAPSHOT_FAILED", loser.Stderr, StringComparison.Ordinal);
                    loserMs.Add(loser.Elapsed.TotalMilliseconds);
                    loserExitedFirst += loserProcess.ExitTime <= winnerProcess.ExitTime ? 1 : 0;
                    outcome = "one snapshot; the other refused by the lock (EWOULDBLOCK)";
                }
                else
                {
                    Assert.True(errno == EEXIST && message!.Contains("already exists", StringComparison.Ordinal), $"{context}: the loser failed for another reason:\n{loser}");
                    Assert.True(loser.ExitCode == 3, $"{context}: expected exit 3:\n{loser}");
                    outcome = "one snapshot; the other ran after it in the same second and was refused (EEXIST)";
                }
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            invariants.Accept(seen.NewSnapshots);
        }

        output.WriteLine($"{rounds} rounds of two concurrent creates in {suite.Elapsed.TotalSeconds:F1} s; {invariants.Baseline.Count} snapshots at the end, all valid and intact after every round");
        foreach ((string outcome, int count) in outcomes)
        {
            output.WriteLine($"  {count,4}  {outcome}");
        }

        if (loserMs.Count > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"lock losers: median {loserMs.Order().ElementAt(loserMs.Count / 2):F0} ms from start to exit; {loserExitedFirst} of {loserMs.Count} exited before the winner"));
        }

        // Rounds that never overlapped would test nothing about the lock.
        int refused = outcomes.GetValueOrDefault("one snapshot; the other refused by the lock (EWOULDBLOCK)");
        Assert.True(refused * 5 >= rounds, $"only {refused} of {rounds} rounds had the two creates contend for the lock");
    }

    [Fact]
    public void Threads_holding_the_execution_lock_take_snapshots_one_at_a_time_and_threads_without_it_fail_at_CheckLock()
    {
        const int lockedThreads = 4, unlockedThreads = 4, perThread = 3;
        using SnapshotInvariants invariants = EarlierSnapshots.In(_dir);
        var clock = new TestClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), stepSeconds: true);
        (List<string> created, List<SnapshotException> failures, int maxInside) = Race(lockedThreads, unlockedThreads, perThread, clock);

        Assert.Equal(lockedThreads * perThread, created.Count);
        Assert.Equal(created.Count, created.Distinct().Count());
        Assert.Equal(1, maxInside);
        Assert.Equal(unlockedThreads * perThread, failures.Count);
        Assert.All(failures, f =>
        {
            Assert.Equal(SnapshotErrorCode.Failed, f.Code);
            Assert.Equal(SnapshotStep.CheckLock, f.Step);
        });

        // A call refused at CheckLock touches nothing, not even the clock: one reading per snapshot.
        Assert.Equal(created.Count, clock.Readings);
        Observation seen = invariants.Check("after the threads", maxNew: created.Count);
        Assert.Equal(created.Order(StringComparer.Ordinal), seen.NewSnapshots);
        Assert.Empty(seen.Leftovers);
        output.WriteLine($"{lockedThreads} threads × {perThread} creates holding the lock: {created.Count} snapshots, distinct seconds, never two inside at once, all valid; {unlockedThreads} threads × {perThread} without it: {failures.Count} AERO_SNAPSHOT_FAILED at CheckLock, no clock reading, nothing written");
    }

    [Fact]
    public void Threads_whose_snapshots_fall_in_the_same_second_publish_one_and_the_others_fail_cleanly()
    {
        const int lockedThreads = 6, unlockedThreads = 2;
        using SnapshotInvariants invariants = EarlierSnapshots.In(_dir);
        var clock = new TestClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), stepSeconds: false);
        (List<string> created, List<SnapshotException> failures, _) = Race(lockedThreads, unlockedThreads, perThread: 1, clock);

        Assert.Equal("20300101T000000Z", Assert.Single(created));
        Assert.Equal(lockedThreads - 1 + unlockedThreads, failures.Count);
        var collisions = failures.Where(f => f.Step != SnapshotStep.CheckLock).ToList();
        Assert.Equal(lockedThreads - 1, collisions.Count);
        Assert.All(collisions, f =>
        {
            Assert.Equal(SnapshotErrorCode.Failed, f.Code);
            Assert.Equal(EEXIST, f.Errno);
            Assert.Equal("an existing snapshot is never replaced", f.Rule);
        });
        Observation seen = invariants.Check("after the same-second threads");
        Assert.Equal(created, seen.NewSnapshots);
        Assert.Empty(seen.Leftovers);
        output.WriteLine($"{lockedThreads} threads holding the lock, one clock second: 1 snapshot published and valid, {collisions.Count} refused with AERO_SNAPSHOT_FAILED errno 17 (never replaced), {failures.Count - collisions.Count} without the lock refused at CheckLock; no staging left");
    }

    /// <summary>
    /// Starts all threads at once on one shared manager: <paramref name="locked"/> of them take the
    /// execution lock around each create, <paramref name="unlocked"/> call without it.
    /// </summary>
    private (List<string> Created, List<SnapshotException> Failures, int MaxInside) Race(int locked, int unlocked, int perThread, TestClock clock)
    {
        using var manager = new SnapshotManager();
        var executionLock = new GlobalExecutionLock();
        using SafeFileHandle wal = File.OpenHandle(Path.Join(_dir.Data, "wal", "wal.log"));
        IWalDurability durability = WalDurability.ForHandle(wal, "wal.log");
        var options = new SnapshotOptions { TimeProvider = clock };
        var created = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<SnapshotException>();
        int inside = 0, maxInside = 0;
        using var start = new Barrier(locked + unlocked);

        void Create(bool holdLock)
        {
            start.SignalAndWait();
            for (int i = 0; i < perThread; i++)
            {
                try
                {
                    if (!holdLock)
                    {
                        created.Add(manager.CreateSnapshot(_dir.Data, _dir.StoragePath, _dir.SchemasPath, durability, executionLock, options).Id.ToString());
                        continue;
                    }

                    using (executionLock.Acquire())
                    {
                        int now = Interlocked.Increment(ref inside);
                        InterlockedMax(ref maxInside, now);
                        try
                        {
                            created.Add(manager.CreateSnapshot(_dir.Data, _dir.StoragePath, _dir.SchemasPath, durability, executionLock, options).Id.ToString());
                        }
                        finally
                        {
                            Interlocked.Decrement(ref inside);
                        }
                    }
                }
                catch (SnapshotException error)
                {
                    failures.Add(error);
                }
            }
        }

        Thread[] threads = [
            .. Enumerable.Range(0, locked).Select(_ => new Thread(() => Create(holdLock: true))),
            .. Enumerable.Range(0, unlocked).Select(_ => new Thread(() => Create(holdLock: false))),
        ];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromMinutes(2)), "a thread did not finish");
        }

        return ([.. created], [.. failures], maxInside);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static void WaitForNextSecond()
    {
        DateTime now = DateTime.UtcNow;
        Thread.Sleep(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - (now.Ticks % TimeSpan.TicksPerSecond)) + TimeSpan.FromMilliseconds(5));
    }

    /// <summary>A clock that moves one second per reading, or stands still; counts its readings.</summary>
    private sealed class TestClock(DateTimeOffset start, bool stepSeconds) : TimeProvider
    {
        private long _readings;

        public long Readings => Interlocked.Read(ref _readings);

        public override DateTimeOffset GetUtcNow()
        {
            long reading = Interlocked.Increment(ref _readings);
            return stepSeconds ? start.AddSeconds(reading) : start;
        }
    }
}
