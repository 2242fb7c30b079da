using System.Globalization;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>What one <c>aerosnap create</c> under strace did.</summary>
/// <param name="Result">The tool's exit code and output.</param>
/// <param name="Calls">Calls of the traced system call on the watched paths (the failed ones included).</param>
/// <param name="Injected">Calls strace failed (marked <c>(INJECTED)</c> in its log).</param>
/// <param name="Trace">strace's log, for failure messages.</param>
public sealed record StraceOutcome(CliResult Result, int Calls, int Injected, string Trace)
{
    /// <summary>
    /// True when every call strace failed was a <c>flock(…, LOCK_UN)</c>: the release before a
    /// lock's descriptor is closed, best effort by design (the close releases the lock anyway; the
    /// explicit release only keeps a child forked meanwhile from holding it), so a command that
    /// succeeds through it is right to.
    /// </summary>
    public bool InjectedOnlyAnUnlock
    {
        get
        {
            string[] injected = [.. Trace.Split('\n').Where(static l => l.Contains("(INJECTED)", StringComparison.Ordinal))];
            return injected.Length > 0 && injected.All(static l => l.Contains("flock(", StringComparison.Ordinal) && l.Contains("LOCK_UN", StringComparison.Ordinal));
        }
    }
}

/// <summary>
/// Runs <c>aerosnap create</c> under <c>strace -f --seccomp-bpf</c> (<see cref="StraceRequest.Run"/>),
/// tracing and failing one system call, restricted to the data directory's paths with <c>-P</c>: the runtime's own start-up calls
/// (assemblies, ICU, /proc) are neither counted nor failed, so "the N-th call" means the N-th call the
/// snapshot makes on its files and directories.
/// </summary>
/// <remarks>
/// strace 6.1 matches <c>-P</c> paths exactly (no prefixes), for path arguments and for descriptors
/// (through /proc/PID/fd), and checks the path filter before injecting, so the <c>when=</c> counter
/// counts matching calls only. Every path a create can touch is therefore listed: the sources, the
/// lock, <c>snapshots/</c>, and every file and directory of <c>&lt;id&gt;</c>, <c>.staging-&lt;id&gt;</c>
/// and <c>.deleting-&lt;id&gt;</c> for each second the snapshot id could take during the run.
/// </remarks>
public static class StraceCreate
{
    /// <summary>Seconds after the start for which snapshot ids are watched; a slower run fails the case instead of going unwatched.</summary>
    public const int WindowSeconds = 30;

    public static StraceOutcome Run(DataDirectory directory, string syscall, string? inject, params string[] extraArguments)
        => Run(directory, syscall, inject, publishedOnly: false, extraArguments);

    /// <param name="directory">The data directory.</param>
    /// <param name="syscall">The system call traced (and failed, with <paramref name="inject"/>); several, comma-separated, to trace only.</param>
    /// <param name="inject">strace's inject spec after the call name, e.g. <c>error=EIO:when=3+</c>; null to count only.</param>
    /// <param name="publishedOnly">Watch only the published snapshot's paths (not the sources, the lock or the staging directory).</param>
    /// <param name="extraArguments">More arguments for <c>aerosnap create</c>.</param>
    public static StraceOutcome Run(DataDirectory directory, string syscall, string? inject, bool publishedOnly, params string[] extraArguments)
    {
        DateTimeOffset start = DateTimeOffset.UtcNow;
        var request = new StraceRequest(syscall, inject) { Paths = [.. WatchedPaths(directory, start, publishedOnly)] };
        StraceRun run = request.Run(
            CliProcess.StartInfo(CliProcess.FileName, [.. CliProcess.LeadingArguments, "create", directory.Data, "--json", .. extraArguments]),
            TimeSpan.FromSeconds(WindowSeconds));
        return new StraceOutcome(CliResult.From(run.Result), run.Calls(syscall), run.Injected, run.Trace);
    }

    /// <summary>Every path a create of <paramref name="directory"/> started at <paramref name="start"/> may touch.</summary>
    public static IEnumerable<string> WatchedPaths(DataDirectory directory, DateTimeOffset start, bool publishedOnly = false)
    {
        string data = directory.Data;
        if (!publishedOnly)
        {
            yield return data;
            yield return directory.LockPath;
            yield return directory.StoragePath;
            yield return Path.Join(data, "wal");
            yield return Path.Join(data, "wal", "wal.log");
            yield return Path.Join(data, "metadata");
            yield return directory.SchemasPath;
            yield return directory.SnapshotsPath;
        }

        var schemaEntries = Directory.EnumerateFileSystemEntries(directory.SchemasPath, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(directory.SchemasPath, p))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (string entry in publishedOnly ? [] : schemaEntries)
        {
            yield return Path.Join(directory.SchemasPath, entry);
        }

        for (int second = -2; second <= WindowSeconds; second++)
        {
            string id = start.AddSeconds(second).UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            foreach (string prefix in publishedOnly ? [string.Empty] : new[] { string.Empty, ".staging-", ".deleting-" })
            {
                string root = Path.Join(directory.SnapshotsPath, prefix + id);
                yield return root;
                yield return Path.Join(root, "storage.dat");
                yield return Path.Join(root, "manifest.json");
                yield return Path.Join(root, "schemas");
                foreach (string entry in schemaEntries)
                {
                    yield return Path.Join(root, "schemas", entry);
                }
            }
        }
    }

    /// <summary>errno names strace takes, and their values on Linux.</summary>
    public static int ErrnoValue(string name) => name switch
    {
        "EIO" => 5,
        "EACCES" => 13,
        "ENOSPC" => 28,
        "EOPNOTSUPP" => 95,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "add it here"),
    };
}
