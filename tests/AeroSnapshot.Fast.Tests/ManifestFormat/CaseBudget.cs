using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// What one fuzz case may cost. Recovery reads a manifest per snapshot at startup, so a document
/// that makes the reader spin or balloon is a denial of service even when it is refused in the end:
/// <list type="bullet">
/// <item>time: one second (a real manifest takes microseconds; the margin absorbs a loaded CI machine);</item>
/// <item>memory: at most 64 bytes allocated per input byte plus 64 KiB, on the calling thread
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), exceptions and their stack traces included.</item>
/// </list>
/// A case that finishes over budget fails where it ran, so CsCheck shrinks it like any failure. A
/// case that never finishes cannot be timed afterwards: <see cref="Watch"/> runs the whole property
/// on a background thread and fails the test, naming the input, once a case is in flight too long.
/// </summary>
internal static class CaseBudget
{
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(1);

    private const long BytesPerInputByte = 64;
    private const long FixedBytes = 64 * 1024;

    // Cases in flight, by managed thread id (CsCheck may run cases on several threads).
    private static readonly ConcurrentDictionary<int, (byte[] Input, long StartedAt)> InFlight = new();
    private static readonly Lock StatsLock = new();
    private static (long Cases, TimeSpan Slowest, long MostAllocated, int MostAllocatedInput, double WorstRatio) _stats;

    /// <summary>What the cases since the last <see cref="Watch"/> cost at worst, for the suite's report.</summary>
    public static string Summary
    {
        get
        {
            lock (StatsLock)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{_stats.Cases} cases; slowest {_stats.Slowest.TotalMilliseconds:F2} ms; most allocated {_stats.MostAllocated} bytes (for {_stats.MostAllocatedInput} input bytes); worst allocation per input byte {_stats.WorstRatio:F1}");
            }
        }
    }

    /// <summary>Runs one case on this thread and fails it if it went over its time or allocation budget.</summary>
    public static void Measure(byte[] input, Action<byte[]> run)
    {
        int thread = Environment.CurrentManagedThreadId;
        long startedAt = Stopwatch.GetTimestamp();
        InFlight[thread] = (input, startedAt);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            run(input);
        }
        finally
        {
            InFlight.TryRemove(thread, out _);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        TimeSpan elapsed = Stopwatch.GetElapsedTime(startedAt);
        lock (StatsLock)
        {
            _stats.Cases++;
            _stats.Slowest = elapsed > _stats.Slowest ? elapsed : _stats.Slowest;
            if (allocated > _stats.MostAllocated)
            {
                (_stats.MostAllocated, _stats.MostAllocatedInput) = (allocated, input.Length);
            }

            _stats.WorstRatio = Math.Max(_stats.WorstRatio, input.Length == 0 ? 0 : (double)allocated / input.Length);
        }

        if (elapsed > TimeLimit)
        {
            throw new BudgetExceededException(string.Create(CultureInfo.InvariantCulture, $"the case ran {elapsed.TotalMilliseconds:F0} ms, over its time limit of {TimeLimit.TotalMilliseconds:F0} ms, on {input.Length} input bytes"));
        }

        long limit = (BytesPerInputByte * input.Length) + FixedBytes;
        if (allocated > limit)
        {
            throw new BudgetExceededException(string.Create(CultureInfo.InvariantCulture, $"the case allocated {allocated} bytes for {input.Length} input bytes (limit {limit})"));
        }
    }

    /// <summary>
    /// Runs <paramref name="property"/> (a whole CsCheck sample) on a background thread, and fails
    /// as soon as one of its cases has been running for longer than twice the time limit.
    /// </summary>
    public static void Watch(Action property)
    {
        InFlight.Clear();
        lock (StatsLock)
        {
            _stats = default;
        }

        Task run = Task.Factory.StartNew(property, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        while (!run.Wait(TimeSpan.FromMilliseconds(100)))
        {
            foreach ((byte[] input, long startedAt) in InFlight.Values)
            {
                TimeSpan running = Stopwatch.GetElapsedTime(startedAt);
                if (running > 2 * TimeLimit)
                {
                    throw new BudgetExceededException(string.Create(CultureInfo.InvariantCulture, $"a case is still running after {running.TotalMilliseconds:F0} ms (limit {TimeLimit.TotalMilliseconds:F0} ms); its thread was abandoned. Input ({input.Length} bytes): {Convert.ToHexString(input)}"));
                }
            }
        }

        run.GetAwaiter().GetResult();
    }
}

/// <summary>A fuzz case went over its time or allocation budget.</summary>
internal sealed class BudgetExceededException : Exception
{
    public BudgetExceededException()
    {
    }

    public BudgetExceededException(string message)
        : base(message)
    {
    }

    public BudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
