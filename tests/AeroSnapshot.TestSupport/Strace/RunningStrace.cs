using System.Diagnostics;

namespace AeroSnapshot.TestSupport.Strace;

/// <summary>
/// A program started under strace that the test does not wait for at once: it watches strace's log
/// while the program runs, so that something can be done to the file system at an exact point of
/// the program's sequence. With a <c>delay_enter</c> or <c>delay_exit</c> injection the program is
/// held at a system call for a fixed time; strace writes the call's line when the call is entered
/// (the part before the result, for <c>delay_enter</c>) or returns (for <c>delay_exit</c>), so a test
/// that waits for that line acts inside the delay, every time, however slow the start-up was.
/// </summary>
public sealed class RunningStrace : IDisposable
{
    private readonly Process _process;
    private readonly string _log;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private RunningStrace(Process process, string log)
    {
        _process = process;
        _log = log;
        _process.StandardInput.Close();
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts <paramref name="program"/> under <c>strace -f</c> as <paramref name="request"/> says.</summary>
    public static RunningStrace Start(StraceRequest request, ProcessStartInfo program)
    {
        string log = Path.Join(Path.GetTempPath(), $"aerosnap-strace-{Guid.NewGuid():N}.log");
        ProcessStartInfo start = ExternalCommand.StartInfo(
            "strace", ["-f", .. (request.Seccomp ? (string[])["--seccomp-bpf"] : []), .. request.Arguments(log), "--", program.FileName, .. program.ArgumentList]);
        foreach ((string name, string? value) in program.Environment)
        {
            start.Environment[name] = value;
        }

        Process process = ExternalCommand.Start(start);
        return new RunningStrace(process, log);
    }

    /// <summary>strace's log so far.</summary>
    public string Log => File.Exists(_log) ? ReadShared(_log) : string.Empty;

    /// <summary>
    /// Waits until the log holds a line containing <paramref name="text"/>; false when the program
    /// ended, or <paramref name="timeout"/> passed, first.
    /// </summary>
    public bool WaitForLine(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (Log.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (_process.HasExited)
            {
                return Log.Contains(text, StringComparison.Ordinal);
            }

            Thread.Sleep(5);
        }

        return false;
    }

    /// <summary>Waits for the program (and strace) to end and returns what it did and strace's whole log.</summary>
    public StraceRun Finish(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            throw new TimeoutException($"the program under strace did not finish within {timeout}.\nstrace log:\n{Log}");
        }

        _process.WaitForExit();
        return new StraceRun(new ProcessOutput(_process.ExitCode, _stdout.Result, _stderr.Result, _clock.Elapsed), Log);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        File.Delete(_log);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
