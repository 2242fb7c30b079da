using System.CommandLine;
using System.Diagnostics;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;

namespace AeroSnapshot.Cli;

/// <summary>
/// <c>--lock-wait &lt;duration&gt;</c>: how long a command waits for the data directory's <c>LOCK</c> when
/// another process holds it, before it gives up with exit 11. It polls, before the operation starts,
/// with a backoff from 50 ms to 1 s (no thread, no blocking <c>flock</c>: Ctrl+C still cancels the wait at
/// once, exit 130). AeroDB's running marker <c>.lock</c> is not waited for: it is not a lock but a
/// marker that may be stale, and it refuses at once.
/// </summary>
internal readonly record struct LockWait(TimeSpan Timeout, CancellationToken Cancellation)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(1);

    /// <summary>The option, declared once and added to every command that takes the LOCK.</summary>
    public static Option<TimeSpan?> CreateOption() => new("--lock-wait")
    {
        Description = $"When another process holds the data directory's LOCK, wait up to this long for it ({DurationText.Forms}) "
            + "instead of failing at once; still held then: exit 11 [default: 0, no wait]",
        HelpName = "duration",
        CustomParser = DurationText.ParseOption,
    };

    /// <summary>
    /// Runs <paramref name="attempt"/>, and again after a pause each time it fails because another
    /// process holds the LOCK, until <see cref="Timeout"/> has passed; then that failure is thrown.
    /// An attempt that fails so has changed nothing (the lock is the first thing it takes).
    /// </summary>
    public T Retry<T>(Func<T> attempt)
    {
        long start = Stopwatch.GetTimestamp();
        TimeSpan pause = FirstPause;
        while (true)
        {
            try
            {
                return attempt();
            }
            catch (SnapshotException error) when (DataDirectoryInUse.IsLockHeld(error) && Stopwatch.GetElapsedTime(start) < Timeout)
            {
                TimeSpan left = Timeout - Stopwatch.GetElapsedTime(start);
                Cancellation.WaitHandle.WaitOne(pause < left ? pause : left);
                Cancellation.ThrowIfCancellationRequested();
                pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            }
        }
    }
}
