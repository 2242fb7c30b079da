namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Runs any <c>aerosnap</c> command under <c>strace -f --seccomp-bpf</c>, tracing one or more
/// system calls and optionally injecting into them (an errno, or a signal such as SIGKILL),
/// restricted with <c>-P</c> to the paths the caller lists: the runtime's own start-up calls are
/// neither counted nor failed, so "the N-th call" is the N-th call the command makes on its files.
/// The generalisation of <see cref="StraceCreate"/> (whose path list is create's) for checkpoint,
/// backup and restore-backup.
/// </summary>
public static class StraceCommand
{
    /// <param name="syscall">Calls traced, comma-separated; with <paramref name="inject"/>, the ones injected into.</param>
    /// <param name="inject">strace's inject spec after the call names, e.g. <c>error=EIO:when=3</c> or <c>signal=KILL:when=2</c>; null to count only.</param>
    /// <param name="watched">Every path the command may touch (strace 6.1 matches them exactly).</param>
    /// <param name="arguments">The command line after <c>aerosnap</c>.</param>
    public static StraceOutcome Run(string syscall, string? inject, IEnumerable<string> watched, params string[] arguments)
        => Run(syscall, inject, watched, seccomp: true, arguments);

    /// <param name="seccomp">
    /// Stop only at the traced calls (<c>--seccomp-bpf</c>). strace 6.1 never delivers an injected
    /// signal with it (measured: the SIGKILL sweep ran to exit 0), so signal injection, and the run
    /// that counts for it, go without.
    /// </param>
    public static StraceOutcome Run(string syscall, string? inject, IEnumerable<string> watched, bool seccomp, params string[] arguments)
    {
        var request = new StraceRequest(syscall, inject) { Paths = [.. watched.Distinct(StringComparer.Ordinal)], Seccomp = seccomp };
        StraceRun run = request.Run(
            CliProcess.StartInfo(CliProcess.FileName, [.. CliProcess.LeadingArguments, .. arguments]),
            TimeSpan.FromSeconds(StraceCreate.WindowSeconds));
        return new StraceOutcome(CliResult.From(run.Result), run.Calls(syscall), run.Injected, run.Trace);
    }

    /// <summary>Every file and directory under <paramref name="root"/>, and the root itself.</summary>
    public static IEnumerable<string> Tree(string root)
        => Directory.Exists(root)
            ? Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Prepend(root)
            : [root];
}
