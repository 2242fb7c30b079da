using System.Diagnostics;
using System.Globalization;

namespace AeroSnapshot.Fuzz;

/// <summary>
/// The per-case budget of the in-process modes, the same as the test suite's (CaseBudget): one
/// second, and at most 64 allocated bytes per input byte plus 64 KiB. Under libFuzzer or AFL the
/// driver's own -timeout and memory limit apply instead.
/// </summary>
internal static class Budget
{
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(1);

    /// <summary>Runs the target on <paramref name="input"/>; returns null, or what went wrong.</summary>
    public static string? Check(byte[] input)
    {
        long started = Stopwatch.GetTimestamp();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            Target.Run(input);
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        long limit = (64L * input.Length) + (64 * 1024);
        if (elapsed > TimeLimit)
        {
            return string.Create(CultureInfo.InvariantCulture, $"took {elapsed.TotalMilliseconds:F0} ms (limit {TimeLimit.TotalMilliseconds:F0} ms)");
        }

        return allocated > limit
            ? string.Create(CultureInfo.InvariantCulture, $"allocated {allocated} bytes for {input.Length} input bytes (limit {limit})")
            : null;
    }
}
