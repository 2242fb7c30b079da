using System.Text.RegularExpressions;

namespace AeroSnapshot.TestSupport.Strace;

/// <summary>What one program run under strace did (<see cref="StraceRequest.Run"/>).</summary>
/// <param name="Result">The program's exit code and output.</param>
/// <param name="Trace">strace's log, for counting and for failure messages.</param>
public sealed partial record StraceRun(ProcessOutput Result, string Trace)
{
    /// <summary>Calls of <paramref name="syscalls"/> (comma-separated) in the log, the failed ones included.</summary>
    public int Calls(string syscalls)
    {
        // With -f every line starts with the thread id.
        Regex call = new($@"^\d+\s+(?:{string.Join('|', syscalls.Split(',').Select(Regex.Escape))})\(", RegexOptions.Multiline);
        return call.Count(Trace);
    }

    /// <summary>Calls strace failed (marked <c>(INJECTED)</c> in its log).</summary>
    public int Injected => InjectedMark().Count(Trace);

    [GeneratedRegex(@"\(INJECTED\)")]
    private static partial Regex InjectedMark();
}
