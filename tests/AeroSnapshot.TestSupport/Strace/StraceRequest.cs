namespace AeroSnapshot.TestSupport.Strace;

/// <summary>
/// What strace is asked to do, whether attached to a thread (<see cref="AttachedStrace"/>) or running a
/// program (<see cref="Run"/>): trace some system calls, fail them, and, for a program, only on
/// some paths.
/// </summary>
/// <param name="Trace">strace's <c>trace=</c> list, e.g. <c>fsync,fdatasync,renameat2</c>.</param>
/// <param name="Inject">strace's inject spec after the call name, e.g. <c>error=EIO:when=3+</c>; null to record only.</param>
public sealed record StraceRequest(string Trace, string? Inject = null)
{
    /// <summary>
    /// <c>-P</c> path filters: only calls on these paths (path arguments, or descriptors through
    /// /proc/PID/fd) are traced, counted by <c>when=</c> and failed. strace 6.1 matches them exactly,
    /// no prefixes, and checks the filter before injecting. Empty: every call.
    /// </summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>
    /// The calls <see cref="Inject"/> fails, when only some of the traced ones should fail (e.g.
    /// fail <c>renameat2</c> while recording the <c>rename</c> and <c>link</c> a fallback makes);
    /// null: every traced call.
    /// </summary>
    public string? InjectInto { get; init; }

    /// <summary>
    /// Stop the program only at the traced calls (<c>--seccomp-bpf</c>, the default). strace 6.1
    /// never delivers an injected signal with it (measured: a SIGKILL sweep ran to exit 0), so a
    /// signal injection, and the run that counts calls for it, go without.
    /// </summary>
    public bool Seccomp { get; init; } = true;

    /// <summary>
    /// Runs <paramref name="program"/> under <c>strace -f</c> (its children followed; with
    /// <see cref="Seccomp"/>, only the traced calls stopping it) and returns what it did and strace's log. The program's
    /// environment and arguments are <paramref name="program"/>'s; strace passes them on.
    /// </summary>
    public StraceRun Run(System.Diagnostics.ProcessStartInfo program, TimeSpan timeout)
    {
        string log = Path.Join(Path.GetTempPath(), $"aerosnap-strace-{Guid.NewGuid():N}.log");
        try
        {
            System.Diagnostics.ProcessStartInfo start = ExternalCommand.StartInfo(
                "strace", ["-f", .. (Seccomp ? (string[])["--seccomp-bpf"] : []), .. Arguments(log), "--", program.FileName, .. program.ArgumentList]);
            foreach ((string name, string? value) in program.Environment)
            {
                start.Environment[name] = value;
            }

            ProcessOutput result = ExternalCommand.Capture(start, timeout);
            return new StraceRun(result, File.Exists(log) ? File.ReadAllText(log) : string.Empty);
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>strace's options for this request, logging to <paramref name="logFile"/> (without the target: <c>-p</c> or a program).</summary>
    internal IEnumerable<string> Arguments(string logFile)
    {
        var arguments = new List<string> { "-qq", "-y", "-o", logFile, "-e", "trace=" + Trace };
        if (Inject is not null)
        {
            arguments.AddRange(["-e", $"inject={InjectInto ?? Trace}:{Inject}"]);
        }

        foreach (string path in Paths)
        {
            arguments.AddRange(["-P", path]);
        }

        return arguments;
    }
}
