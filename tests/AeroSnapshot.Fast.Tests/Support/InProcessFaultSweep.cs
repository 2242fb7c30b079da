using System.Globalization;
using AeroSnapshot.TestSupport.Strace;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// Fails one system call of an operation run in this process, for every N a successful run makes:
/// strace, attached to this thread, counts the calls on the operation's paths (<c>-P</c> matches
/// whole paths), then fails the N-th once (<c>when=N</c>) while the operation runs again. Each case
/// is judged by the caller, then the caller puts the directory back. In-process on purpose: the code
/// under test is the very assembly this process loaded, a mutation tool's mutants included, which a
/// sweep of the command-line tool (another process) cannot say.
/// </summary>
internal static class InProcessFaultSweep
{
    /// <summary>What one case ended as, and what is wrong with it (nothing, if it is as the contract says).</summary>
    public readonly record struct Verdict(string Outcome, IReadOnlyList<string> Findings);

    /// <summary>
    /// Runs the sweep and fails the test with every finding. <paramref name="judge"/> gets the traced
    /// line of the call that failed, and the result or the exception; <paramref name="settle"/> runs
    /// after every case (it may report findings too, e.g. that the next run did not recover).
    /// </summary>
    public static void Run<T>(
        ITestOutputHelper output,
        string operation,
        string syscall,
        string errno,
        IReadOnlyList<string> paths,
        Func<T> run,
        Func<Syscall, T?, SnapshotException?, Verdict> judge,
        Func<IEnumerable<string>> settle)
        where T : class
    {
        List<Syscall> traced;
        using (AttachedStrace counting = AttachedStrace.Attach(new StraceRequest(syscall) { Paths = paths }))
        {
            _ = run();
            traced = [.. counting.Stop().Where(c => c.Name == syscall)];
        }

        Assert.True(traced.Count > 0, $"a {operation} makes no {syscall} call on its paths: failing it proves nothing");
        Assert.Empty(settle());

        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var findings = new List<string>();
        for (int n = 1; n <= traced.Count; n++)
        {
            string context = $"{syscall} {errno} when={n} ({traced[n - 1].Line})";
            T? result = null;
            SnapshotException? error = null;
            using (AttachedStrace.Attach(new StraceRequest(syscall, $"error={errno}:when={n}") { Paths = paths }))
            {
                try
                {
                    result = run();
                }
                catch (SnapshotException e)
                {
                    error = e;
                }
            }

            Verdict verdict = judge(traced[n - 1], result, error);
            outcomes[verdict.Outcome] = outcomes.GetValueOrDefault(verdict.Outcome) + 1;
            findings.AddRange(verdict.Findings.Select(f => $"{context}: {f}"));
            findings.AddRange(settle().Select(f => $"{context}: {f}"));
        }

        output.WriteLine($"{syscall} {errno}: a {operation} makes {traced.Count} call(s) on its paths; each failed once:");
        foreach ((string outcome, int count) in outcomes)
        {
            output.WriteLine($"  {count,4}  {outcome}");
        }

        Assert.True(findings.Count == 0, $"{findings.Count} finding(s):\n{string.Join("\n", findings)}");
    }

    /// <summary>
    /// Checks that a failure carries the injected errno and, for the data reads and writes, names
    /// the operation that failed ("read '…'", "write '…'"), so an operator can tell a bad source
    /// from a full destination.
    /// </summary>
    public static IEnumerable<string> FailureFindings(SnapshotException error, string syscall, string errno)
    {
        if (error.Errno != ErrnoOf(errno))
        {
            yield return $"failed with errno {error.Errno?.ToString(CultureInfo.InvariantCulture) ?? "none"}, not {errno}: {error.Message}";
        }

        string? operation = syscall switch
        {
            "pread64" => "read '",
            "pwrite64" => "write '",
            _ => null,
        };
        if (operation is not null && !error.Message.Contains(operation, StringComparison.Ordinal))
        {
            yield return $"the message does not say \"{operation}\": {error.Message}";
        }
    }

    /// <summary>
    /// The calls whose failure an operation may ignore, because nothing the contract cares about
    /// depends on them: cache advice (<c>fadvise64</c>), the release of a lock just before its
    /// descriptor is closed (<c>flock(…, LOCK_UN)</c>: the close releases it anyway), and the best-effort <c>fchmod 0700</c> of a
    /// directory about to be emptied (on its descriptor; or, for one its owner cannot read, glibc's
    /// <c>fchmodat</c> without following links: an <c>O_PATH</c> open and a <c>chmod</c> of
    /// <c>/proc/self/fd/N</c>). If that chmod mattered, the unlink that follows fails and is reported.
    /// </summary>
    public static bool MayBeIgnored(Syscall call) => call.Name switch
    {
        "fadvise64" => true,
        "flock" => call.Line.Contains("LOCK_UN", StringComparison.Ordinal),
        "fchmod" or "chmod" => call.Line.Contains(", 0700)", StringComparison.Ordinal),
        "openat" => call.Line.Contains("O_PATH", StringComparison.Ordinal),
        _ => false,
    };

    private static int ErrnoOf(string name) => name switch
    {
        "EPERM" => 1,
        "EIO" => 5,
        "EACCES" => 13,
        "ENOSPC" => 28,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "add it"),
    };
}
