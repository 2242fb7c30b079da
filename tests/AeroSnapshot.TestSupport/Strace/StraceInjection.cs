using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AeroSnapshot.TestSupport.Strace;

/// <summary>
/// Makes a real system call fail in this very thread: strace attaches to the calling thread and
/// injects an errno (<c>-e inject=SYSCALL:error=ERRNO:when=N</c>), as DESIGN.md §7 describes. The
/// library sees exactly what it would see from a failing disk.
/// </summary>
public sealed partial class StraceInjection : IDisposable
{
    private readonly Process _strace;
    private readonly int _threadId;

    /// <param name="syscall">The call to fail, e.g. <c>fdatasync</c>.</param>
    /// <param name="errno">The errno name, e.g. <c>EIO</c>.</param>
    /// <param name="when">strace's <c>when=</c> expression: <c>1</c> for the first call, <c>3+</c> from the third on.</param>
    public StraceInjection(string syscall, string errno, string when = "1")
    {
        _threadId = gettid();
        var info = new ProcessStartInfo("strace")
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "-q", "-o", "/dev/null", "-p", _threadId.ToString(System.Globalization.CultureInfo.InvariantCulture), "-e", "trace=" + syscall, "-e", $"inject={syscall}:error={errno}:when={when}" })
        {
            info.ArgumentList.Add(argument);
        }

        _strace = Process.Start(info) ?? throw new InvalidOperationException("strace did not start.");
        WaitForTracer(attached: true);
    }

    public void Dispose()
    {
        ExternalCommand.TryRun("kill", "-TERM", _strace.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _strace.WaitForExit(10_000);
        _strace.Dispose();
        WaitForTracer(attached: false);
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
