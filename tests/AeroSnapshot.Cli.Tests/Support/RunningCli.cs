using System.Diagnostics;

namespace AeroSnapshot.Cli.Tests.Support;

/// <summary>
/// <c>aerosnap</c> started (see <see cref="CliProcess"/>) without waiting for it: the kill
/// and concurrency suites need its start instant, to kill it at a chosen moment, and its exit instant.
/// </summary>
public sealed class RunningCli : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly Stopwatch _clock;

    private RunningCli(Process process, Stopwatch clock)
    {
        _process = process;
        _clock = clock;
        StartedAt = clock.Elapsed;
        _process.StandardInput.Close();
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>When Process.Start returned, on the caller's clock.</summary>
    public TimeSpan StartedAt { get; }

    /// <summary>When the process was seen to have exited, on the caller's clock (set by <see cref="Wait"/>).</summary>
    public TimeSpan ExitedAt { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>The tool's process id (to send it a signal).</summary>
    public int ProcessId => _process.Id;

    /// <summary>When the runtime saw the process exit (valid after <see cref="Wait"/>); comparable between processes.</summary>
    public DateTime ExitTime => _process.ExitTime;

    /// <summary>Starts <c>aerosnap ARGS</c>; <paramref name="clock"/> timestamps its start and exit.</summary>
    public static RunningCli Start(Stopwatch clock, params string[] arguments)
    {
        var process = ExternalCommand.Start(CliProcess.StartInfo(CliProcess.FileName, CliProcess.LeadingArguments.Concat(arguments)))
            ?? throw new InvalidOperationException($"could not start {CliProcess.FileName}");
        return new RunningCli(process, clock);
    }

    /// <summary>
    /// Starts <c>aerosnap ARGS</c> with SIGINT handled the default way, through coreutils
    /// <c>env --default-signal=INT</c> (which execs it: the process id is the tool's). A shell
    /// without job control starts background commands with SIGINT ignored, every descendant
    /// inherits that, and a runtime started with SIGINT ignored keeps ignoring it, as it should:
    /// a test that sends SIGINT must not depend on how the test run itself was started.
    /// </summary>
    public static RunningCli StartWithDefaultSigint(Stopwatch clock, params string[] arguments)
    {
        var process = ExternalCommand.Start(CliProcess.StartInfo("env", ["--default-signal=INT", CliProcess.FileName, .. CliProcess.LeadingArguments, .. arguments]))
            ?? throw new InvalidOperationException($"could not start {CliProcess.FileName}");
        return new RunningCli(process, clock);
    }

    /// <summary>SIGKILL, if it is still running; true when the signal was sent.</summary>
    public bool Kill()
    {
        try
        {
            if (_process.HasExited)
            {
                return false;
            }

            _process.Kill();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false; // exited between the check and the kill
        }
    }

    public CliResult Wait(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            throw new TimeoutException($"aerosnap did not finish within {timeout}.\nstdout:\n{_stdout.Result}\nstderr:\n{_stderr.Result}");
        }

        ExitedAt = _clock.Elapsed;
        _process.WaitForExit();
        return new CliResult(_process.ExitCode, _stdout.Result, _stderr.Result, ExitedAt - StartedAt);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
