using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace AeroSnapshot.Bench.Regression;

/// <summary>
/// CPU time of the calling thread (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>, user + system, in
/// nanoseconds) as BenchmarkDotNet's clock for the gate's CPU-bound set. BenchmarkDotNet starts and
/// stops its clock on the thread that runs the benchmark, so an iteration reads what that thread
/// spent on the CPU, not the wall time: on this shared two-core machine (load average 17-23 while
/// other engineers build) the wall-clock launch medians of one build differed by up to 2.2x between
/// launches, and the time a thread waits for a core is what this clock leaves out. What it still
/// sees: cache and memory-bandwidth contention, and the kernel's work in system calls.
/// </summary>
internal sealed partial class ThreadCpuClock : IClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static ThreadCpuClock Instance { get; } = new();

    public string Title => "Thread CPU time";

    public bool IsAvailable => OperatingSystem.IsLinux();

    public Frequency Frequency => Frequency.GHz;

    public long GetTimestamp()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out TimeSpec now) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return (now.Seconds * 1_000_000_000L) + now.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);
}
