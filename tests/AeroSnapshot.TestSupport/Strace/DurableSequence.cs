namespace AeroSnapshot.TestSupport.Strace;

/// <summary>
/// A system-call event a durability rule talks about: "the data sync of X", "the fsync of
/// directory D", "renameat2(A → B) with RENAME_NOREPLACE". Only successful calls match.
/// </summary>
public sealed record SyscallEvent(string Description, Func<Syscall, bool> Matches)
{
    public override string ToString() => Description;
}

/// <summary>
/// A spec of the order the durable protocol needs, checked against one recorded run: a partial
/// order written as rules ("A is followed by B", "nothing of kind C before B"), not a golden trace.
/// Extra calls, repeated fsyncs or a different order of unrelated steps pass; a missing sync, a
/// sync after the rename it was meant to protect, or a rename without <c>RENAME_NOREPLACE</c> fail,
/// each naming the rule, why it matters, and the recorded calls.
/// </summary>
public sealed class DurableSequence(IReadOnlyList<Syscall> calls)
{
    private readonly List<string> _violations = [];

    public IReadOnlyList<Syscall> Calls => calls;

    public static SyscallEvent DataSync(string file)
        => new($"fsync/fdatasync of file {file}", c => c.Succeeded && c.Name is "fsync" or "fdatasync" && c.Path0 == file);

    public static SyscallEvent DirectorySync(string directory)
        => new($"fsync of directory {directory}", c => c.Succeeded && c.Name == "fsync" && c.Path0 == directory);

    public static SyscallEvent Rename(string from, string to, string flag)
        => new(
            $"renameat2({from} → {to}, {flag})",
            c => c.Succeeded && c.Name == "renameat2" && c.Paths.Count == 2 && c.Paths[0] == from && c.Paths[1] == to && HasFlag(c, flag));

    public static SyscallEvent MakeDirectory(string path)
        => new($"mkdir {path}", c => c.Succeeded && c.Name is "mkdir" or "mkdirat" && Target(c) == path);

    public static SyscallEvent RemoveDirectory(string path)
        => new($"rmdir {path}", c => c.Succeeded && (c.Name == "rmdir" || (c.Name == "unlinkat" && c.Arguments.Contains("AT_REMOVEDIR", StringComparison.Ordinal))) && Target(c) == path);

    public static SyscallEvent RemovalUnder(string directory)
        => new(
            $"any unlink or rmdir under {directory}",
            c => c.Succeeded && c.Name is "unlink" or "unlinkat" or "rmdir" && Target(c).StartsWith(directory + "/", StringComparison.Ordinal));

    /// <summary>
    /// Every rename of <paramref name="from"/> to <paramref name="to"/>, whatever the call and its
    /// flags (to report what was done instead). glibc's <c>renameat2</c> with flags 0 makes the
    /// <c>renameat</c> system call, so a lost flag shows as a different call.
    /// </summary>
    public IEnumerable<Syscall> RenamesOf(string from, string to)
        => calls.Where(c => c.Name is "renameat2" or "renameat" or "rename" && c.Paths.Count == 2 && c.Paths[0] == from && c.Paths[1] == to);

    /// <summary>
    /// Each event happens, each after the one before it (greedily: the first match of each after the
    /// previous one's). Returns the index of the last one, or -1 after recording the violation.
    /// </summary>
    public int Order(string why, params SyscallEvent[] chain) => OrderFrom(-1, why, chain);

    /// <summary><see cref="Order"/> starting after the call with index <paramref name="after"/>.</summary>
    public int OrderFrom(int after, string why, params SyscallEvent[] chain)
    {
        int at = after;
        for (int i = 0; i < chain.Length; i++)
        {
            int next = IndexAfter(at, chain[i]);
            if (next < 0)
            {
                string context = i == 0
                    ? (after < 0 ? "it never happens" : $"it never happens after {calls[after]}")
                    : $"it never happens after \"{chain[i - 1]}\" ({calls[at]})";
                _violations.Add($"expected \"{chain[i]}\", but {context}: {why}");
                return -1;
            }

            at = next;
        }

        return at;
    }

    /// <summary>No <paramref name="forbidden"/> event before the call with index <paramref name="until"/>.</summary>
    public void NoneBefore(int until, SyscallEvent forbidden, string why)
    {
        if (until < 0)
        {
            return; // the chain that defines the point already failed, and said so
        }

        Syscall? early = calls.Take(until).FirstOrDefault(forbidden.Matches);
        if (early is not null)
        {
            _violations.Add($"\"{forbidden}\" happened at {early}, before {calls[until]}: {why}");
        }
    }

    /// <summary>The first call matching <paramref name="what"/>, or null.</summary>
    public Syscall? First(SyscallEvent what) => calls.FirstOrDefault(what.Matches);

    /// <summary>Fails the test with every violated rule and the recorded calls.</summary>
    public void AssertHolds()
    {
        if (_violations.Count > 0)
        {
            Assert.Fail($"{_violations.Count} durability rule(s) violated:\n  - {string.Join("\n  - ", _violations)}\nRecorded calls:\n{string.Join("\n", calls)}");
        }
    }

    /// <summary>
    /// The create rules of issue #17, for the snapshot <paramref name="id"/> just published: every
    /// file's data sync before the fsync of its directory; every directory created before its
    /// parent's fsync and fsynced itself before the publish; the staging directory's fsync before
    /// <c>renameat2(…, RENAME_NOREPLACE)</c> (the flag checked), the rename before the fsync of
    /// <c>snapshots/</c>; and when <c>snapshots/</c> is new, its creation before the data
    /// directory's fsync. Fails the test with every rule broken.
    /// </summary>
    /// <param name="calls">The calls of one create, recorded with <c>strace -y</c>.</param>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="id">The id of the snapshot it published (its tree is read to know every file and directory).</param>
    /// <param name="snapshotsIsNew">True when <c>snapshots/</c> did not exist before the create.</param>
    public static void CheckCreate(IReadOnlyList<Syscall> calls, string dataDirectory, string id, bool snapshotsIsNew)
    {
        var spec = new DurableSequence(calls);
        string snapshots = Path.Join(dataDirectory, "snapshots");
        string final = Path.Join(snapshots, id);
        string staging = Path.Join(snapshots, ".staging-" + id);

        // Every file of the published snapshot, under its staging name (syncs happen before the rename).
        List<string> files = Directory.EnumerateFiles(final, "*", SearchOption.AllDirectories).Select(f => Path.Join(staging, Path.GetRelativePath(final, f))).ToList();
        Assert.Contains(Path.Join(staging, "storage.dat"), files);
        Assert.Contains(Path.Join(staging, "manifest.json"), files);
        foreach (string file in files)
        {
            spec.Order($"{file}'s data must be durable before the entry naming it", DataSync(file), DirectorySync(Path.GetDirectoryName(file)!));
        }

        foreach (string directory in Directory.EnumerateDirectories(final, "*", SearchOption.AllDirectories).Select(d => Path.Join(staging, Path.GetRelativePath(final, d))))
        {
            spec.Order($"{directory} must be created before its parent's fsync makes its entry durable", MakeDirectory(directory), DirectorySync(Path.GetDirectoryName(directory)!));
            spec.Order($"{directory}'s entries must be durable before the snapshot is published", DirectorySync(directory), Rename(staging, final, "RENAME_NOREPLACE"));
        }

        if (!spec.Calls.Any(c => Rename(staging, final, "RENAME_NOREPLACE").Matches(c)))
        {
            string seen = string.Join("; ", spec.RenamesOf(staging, final).Select(static c => c.Line));
            Assert.Fail($"the publish must be renameat2({staging}, {final}, RENAME_NOREPLACE), so an existing snapshot is never replaced; saw: {(seen.Length > 0 ? seen : "no rename of the staging directory to that name")}");
        }

        spec.Order(
            "the staging directory's entries must be durable before it is published, and the publishing rename durable after",
            DirectorySync(staging),
            Rename(staging, final, "RENAME_NOREPLACE"),
            DirectorySync(snapshots));

        if (snapshotsIsNew)
        {
            spec.Order(
                "snapshots/ was created by this create: its entry in the data directory must be made durable too",
                MakeDirectory(snapshots),
                DirectorySync(dataDirectory));
        }

        spec.AssertHolds();
    }

    /// <summary>The path a path-taking call acts on (its last operand).</summary>
    private static string Target(Syscall c) => c.Paths.Count == 0 ? string.Empty : c.Paths[^1];

    private static bool HasFlag(Syscall c, string flag)
    {
        // The flags are the last argument: "RENAME_NOREPLACE", "RENAME_EXCHANGE", "0", or an OR of names.
        string flags = c.Arguments[(c.Arguments.LastIndexOf(',') + 1)..].Trim();
        return flags.Split('|').Contains(flag, StringComparer.Ordinal);
    }

    private int IndexAfter(int after, SyscallEvent what)
    {
        for (int i = after + 1; i < calls.Count; i++)
        {
            if (what.Matches(calls[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
