using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AeroSnapshot.TestSupport.Requirements;

namespace AeroSnapshot.TestSupport.Strace;

/// <summary>
/// strace attached to the calling thread (<c>-p TID</c>) while it is alive: it records the calls
/// in <see cref="StraceRequest.Trace"/> with <c>-y</c>, so every descriptor argument is printed with
/// the path it refers to, and fails them as <see cref="StraceRequest.Inject"/> says, as DESIGN.md §7
/// describes. The library makes every call of a snapshot on the calling thread (no threads inside a
/// snapshot), so this is the operation's whole sequence, the library sees exactly what it would see
/// from a failing disk, and the code under test is the very assembly the test process loaded (a
/// mutation tool's mutants included). To run a whole program under strace instead, see
/// <see cref="StraceRequest.Run"/>.
/// </summary>
public sealed partial class AttachedStrace : IDisposable
{
    private readonly Process _strace;
    private readonly int _threadId;
    private readonly string _log;
    private bool _stopped;

    private AttachedStrace(StraceRequest request)
    {
        // Attaching to a thread of the test process itself needs CAP_SYS_PTRACE under Yama's default
        // ptrace scope (strace is our child, not our parent).
        TestRequirements.Root("strace attached to the test's own thread");
        _threadId = gettid();
        _log = Path.Join(Path.GetTempPath(), $"aerosnap-strace-{Guid.NewGuid():N}.log");
        ProcessStartInfo info = ExternalCommand.StartInfo("strace", [.. request.Arguments(_log), "-p", _threadId.ToString(CultureInfo.InvariantCulture)]);
        _strace = ExternalCommand.Start(info);
        _strace.StandardInput.Close();
        WaitForTracer(attached: true);
    }

    /// <summary>Records the calls in <paramref name="syscalls"/> (strace's <c>trace=</c> list, e.g. <c>fsync,fdatasync,renameat2</c>) this thread makes until <see cref="Stop"/>.</summary>
    public static AttachedStrace Record(string syscalls) => Attach(new StraceRequest(syscalls));

    /// <summary>
    /// Fails <paramref name="syscall"/> in this thread with <paramref name="errno"/> (e.g. <c>EIO</c>)
    /// at the calls strace's <c>when=</c> expression picks: <c>1</c> for the first, <c>3+</c> from the third on.
    /// </summary>
    public static AttachedStrace Inject(string syscall, string errno, string when = "1")
        => Attach(new StraceRequest(syscall, $"error={errno}:when={when}"));

    /// <summary>Attaches to the calling thread; returns once strace is its tracer.</summary>
    public static AttachedStrace Attach(StraceRequest request) => new(request);

    /// <summary>Detaches strace and returns the calls it saw, in order.</summary>
    public IReadOnlyList<Syscall> Stop()
    {
        if (!_stopped)
        {
            _stopped = true;
            ExternalCommand.TryRun("kill", "-TERM", _strace.Id.ToString(CultureInfo.InvariantCulture));
            if (!_strace.WaitForExit(10_000))
            {
                throw new TimeoutException("strace did not exit after SIGTERM");
            }

            WaitForTracer(attached: false);
        }

        string text = File.Exists(_log) ? File.ReadAllText(_log) : string.Empty;
        return Syscall.ParseAll(text);
    }

    public void Dispose()
    {
        if (!_stopped)
        {
            _ = Stop();
        }

        _strace.Dispose();
        File.Delete(_log);
    }

    private void WaitForTracer(bool attached)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            string status = File.ReadAllText($"/proc/self/task/{_threadId}/status");
            string tracer = status.Split('\n').First(static l => l.StartsWith("TracerPid:", StringComparison.Ordinal))[10..].Trim();
            if ((tracer != "0") == attached)
            {
                return;
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"strace did not {(attached ? "attach to" : "detach from")} thread {_threadId}: {(_strace.HasExited ? _strace.StandardError.ReadToEnd() : "still running")}");
    }

    [LibraryImport("libc.so.6")]
    private static partial int gettid();
}
