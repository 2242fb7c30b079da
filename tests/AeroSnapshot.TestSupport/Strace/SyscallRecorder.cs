using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace AeroSnapshot.TestSupport.Strace;

/// <summary>
/// Records the system calls this very thread makes while it is alive: strace attaches to the
/// calling thread (<c>-p TID</c>) with <c>-y</c>, so every descriptor argument is printed with the
/// path it refers to. The library makes every call of a snapshot on the calling thread (no
/// threads inside a snapshot), so this is the operation's whole sequence, and the code under test
/// is the very assembly the test process loaded (a mutation tool's mutants included).
/// </summary>
public sealed partial class SyscallRecorder : IDisposable
{
    private readonly Process _strace;
    private readonly int _threadId;
    private readonly string _log;
    private bool _stopped;

    /// <param name="syscalls">strace's <c>trace=</c> list, e.g. <c>fsync,fdatasync,renameat2</c>.</param>
    public SyscallRecorder(string syscalls)
    {
        _threadId = gettid();
        _log = Path.Join(Path.GetTempPath(), $"aerosnap-strace-{Guid.NewGuid():N}.log");
        var info = new ProcessStartInfo("strace") { UseShellExecute = false, RedirectStandardError = true };
        foreach (string argument in new[] { "-qq", "-y", "-o", _log, "-p", _threadId.ToString(CultureInfo.InvariantCulture), "-e", "trace=" + syscalls })
        {
            info.ArgumentList.Add(argument);
        }

        _strace = Process.Start(info) ?? throw new InvalidOperationException("strace did not start.");
        WaitForTracer(attached: true);
    }

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
