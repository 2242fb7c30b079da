using System.Diagnostics;
using AeroSnapshot.TestSupport.Requirements;

namespace AeroSnapshot.TestSupport;

/// <summary>What one run of a program did: its exit code, its output, how long it took.</summary>
public sealed record ProcessOutput(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

/// <summary>
/// Runs a program as a child process with its output captured: system tools (mount, mkfs, strace,
/// fallocate…) for both test projects, and, through the CLI tests' own helpers, the tool itself.
/// Standard input is closed at once, so a program that would prompt reads end-of-file instead of
/// hanging the test. Every child process of the test suites starts here (<see cref="Start"/>), after
/// <see cref="TestRequirements.Program"/>: a test that reaches a program this machine lacks is skipped
/// naming it (failed in CI), whether or not it declared the program.
/// </summary>
public static class ExternalCommand
{
    /// <summary>How long <see cref="Run"/> and <see cref="TryRun"/> wait before killing the program.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs the program and returns its output; throws with the output when it exits non-zero.</summary>
    public static string Run(string fileName, params string[] arguments)
    {
        (int exitCode, string output) = TryRun(fileName, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {exitCode}: {output}");
        }

        return output;
    }

    /// <summary>Runs the program; returns its exit code and its stdout followed by its stderr.</summary>
    public static (int ExitCode, string Output) TryRun(string fileName, params string[] arguments)
    {
        ProcessOutput result = Capture(StartInfo(fileName, arguments), DefaultTimeout);
        return (result.ExitCode, result.Stdout + result.Stderr);
    }

    /// <summary>How to start <paramref name="fileName"/> with <paramref name="arguments"/>, every stream redirected.</summary>
    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>
    /// Starts the program, waits for it and returns what it did; after <paramref name="timeout"/> kills
    /// it (and its children) and throws with what it had written.
    /// </summary>
    public static ProcessOutput Capture(ProcessStartInfo start, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        using Process process = Start(start);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}.\nstdout:\n{stdout.Result}\nstderr:\n{stderr.Result}");
        }

        // The parameterless wait also waits for the redirected streams to reach end-of-file.
        process.WaitForExit();
        return new ProcessOutput(process.ExitCode, stdout.Result, stderr.Result, stopwatch.Elapsed);
    }

    /// <summary>
    /// Starts <paramref name="start"/>'s program, once <see cref="TestRequirements.Program"/> found it:
    /// the one place the test suites start a child process (an architecture test holds them to it).
    /// </summary>
    public static Process Start(ProcessStartInfo start)
    {
        TestRequirements.Program(start.FileName);
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
    }
}
