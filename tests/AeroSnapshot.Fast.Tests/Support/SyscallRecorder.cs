using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace AeroSnapshot.Fast.Tests.Support;

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

/// <summary>
/// One line of an <c>strace -y</c> log: the call, the paths it acts on in argument order (a
/// descriptor's path, a name, or a directory descriptor's path joined with the relative name after
/// it; <c>AT_FDCWD</c> contributes none), its raw arguments, its result.
/// </summary>
public sealed partial record Syscall(int Index, string Name, IReadOnlyList<string> Paths, string Arguments, long Result, string Line)
{
    public bool Succeeded => Result >= 0;

    /// <summary>The first path argument (a descriptor's or a string's), or empty.</summary>
    public string Path0 => Paths.Count > 0 ? Paths[0] : string.Empty;

    public static List<Syscall> ParseAll(string log)
    {
        var calls = new List<Syscall>();
        foreach (string line in log.Split('\n'))
        {
            Match m = CallLine().Match(line);
            if (!m.Success)
            {
                continue; // signals, "+++ exited", a last line cut by the detach
            }

            string arguments = m.Groups["args"].Value;
            // Operands: a directory descriptor followed by a relative name is one path (dir/name);
            // a descriptor alone (fsync) or an absolute name (after AT_FDCWD) is a path of its own.
            var paths = new List<string>();
            string? directory = null;
            foreach (Match p in PathArgument().Matches(arguments))
            {
                if (p.Groups["fd"].Success)
                {
                    if (directory is not null)
                    {
                        paths.Add(directory);
                    }

                    directory = Unescape(p.Groups["fd"].Value);
                    continue;
                }

                string name = Unescape(p.Groups["str"].Value);
                paths.Add(directory is not null && !name.StartsWith('/') ? System.IO.Path.Join(directory, name) : name);
                directory = null;
            }

            if (directory is not null)
            {
                paths.Add(directory);
            }

            calls.Add(new Syscall(calls.Count, m.Groups["name"].Value, paths, arguments, long.Parse(m.Groups["ret"].Value, CultureInfo.InvariantCulture), line));
        }

        return calls;
    }

    public override string ToString() => $"#{Index} {Line}";

    /// <summary>strace prints bytes outside printable ASCII as <c>\ooo</c> or <c>\xhh</c>; the tests' paths are plain, so only quotes and backslashes matter.</summary>
    private static string Unescape(string value) => value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?<name>[a-z0-9_]+)\((?<args>.*)\)\s+=\s+(?<ret>-?\d+)")]
    private static partial Regex CallLine();

    // A descriptor printed as 5</path> (not AT_FDCWD), or a quoted string argument.
    [GeneratedRegex(@"(?:\b\d+<(?<fd>[^>]*)>)|(?:""(?<str>(?:[^""\\]|\\.)*)"")")]
    private static partial Regex PathArgument();
}
