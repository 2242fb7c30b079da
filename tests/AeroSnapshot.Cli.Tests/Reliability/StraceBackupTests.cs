using System.Globalization;
using System.IO.Hashing;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Suite 3 (every failing system call) for <c>aerosnap backup</c> and <c>aerosnap restore-backup</c>:
/// under strace, the N-th call of one system call on the command's paths fails with an errno, for
/// every N a fault-free run makes (counted first). Backup: exit 3 with the AeroDB error carrying the
/// errno and naming a path; no file at <c>--output</c> and no partial archive beside it (the
/// library's clean-up removed it); the data directory byte for byte as before. Restore-backup: exit 3
/// likewise; the data directory exactly the old one or exactly the new one (names, sizes, CRC-32s);
/// <c>aerosnap clean</c> removes <c>&lt;data-dir&gt;.restore-backup-tmp</c> and leaves it which it was.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed class StraceBackupTests(ITestOutputHelper output) : IDisposable
{
    private readonly DataDirectory _dir = new(storageBytes: (512 << 10) + 9);
    private readonly byte[] _wal = BackupCommandTests.FramedWal(40);

    public static TheoryData<string, string> BackupFaults => new()
    {
        { "openat", "EIO" },
        { "pread64", "EIO" },
        { "pwrite64", "EIO" },
        { "pwrite64", "ENOSPC" },
        { "fsync", "EIO" },
        { "renameat2", "EIO" },
        { "flock", "EIO" },
        { "getdents64", "EIO" },
    };

    public static TheoryData<string, string> RestoreFaults => new()
    {
        { "openat", "EIO" },
        { "pread64", "EIO" },
        { "pwrite64", "EIO" },
        { "pwrite64", "ENOSPC" },
        { "fsync", "EIO" },
        { "mkdir", "EIO" },
        { "renameat2", "EIO" },
        { "unlinkat", "EIO" },
    };

    private string Outputs => Path.Join(_dir.Root, "out");

    public void Dispose() => _dir.Dispose();

    [NeedsProgramsTheory("strace")]
    [MemberData(nameof(BackupFaults))]
    public void A_backup_whose_call_fails_exits_3_with_the_errno_leaves_no_archive_and_the_data_directory_untouched(string syscall, string errno)
    {
        File.WriteAllBytes(Path.Join(_dir.Data, "wal", "wal.log"), _wal);
        _dir.CreateSnapshot();
        Directory.CreateDirectory(Outputs);
        string archive = Path.Join(Outputs, "b.tar");
        string partial = Path.Join(Outputs, ".b.tar.partial");
        string[] watched = [.. StraceCommand.Tree(_dir.Data), Outputs, archive, partial];
        Dictionary<string, string> before = TreeFingerprint.Of(_dir.Data);

        StraceOutcome counting = StraceCommand.Run(syscall, null, watched, "backup", _dir.Data, "--output", archive, "--json");
        Assert.True(counting.Result.ExitCode == 0, counting.Result.ToString());
        File.Delete(archive);
        int calls = counting.Calls;
        Assert.True(calls > 0, $"a backup makes no {syscall} call on its paths");

        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int n = 1; n <= calls; n++)
        {
            string context = $"backup, {syscall} {errno} on call #{n} of {calls}";
            StraceOutcome run = StraceCommand.Run(syscall, $"error={errno}:when={n}", watched, "backup", _dir.Data, "--output", archive, "--json");
            Assert.True(run.Injected == 1, $"{context}: strace failed {run.Injected} calls\n{run.Trace}");
            string outcome;
            if (run.Result.ExitCode == 0)
            {
                CliResult verify = CliProcess.Run("verify-backup", archive, "--json");
                Assert.True(verify.ExitCode == 0, $"{context}: exit 0 but the archive does not verify: {verify}");
                Assert.True(syscall == "getdents64" || syscall == "fadvise64" || run.InjectedOnlyAnUnlock, $"{context}: exit 0 although {syscall} failed\n{run.Result}");
                outcome = run.InjectedOnlyAnUnlock ? "exit 0 (the release before close failed: tolerated), archive verifies" : "exit 0 (tolerated), archive verifies";
            }
            else
            {
                outcome = AssertCleanFailure(run.Result, errno, context);
                Assert.False(File.Exists(archive), $"{context}: a failed backup left a file at --output");
            }

            Assert.False(File.Exists(partial), $"{context}: the partial archive was left behind\n{run.Result}");
            AssertSameListing(before, TreeFingerprint.Of(_dir.Data), context);
            File.Delete(archive);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        Report($"backup {syscall} {errno}", calls, outcomes);
    }

    [NeedsProgramsTheory("strace")]
    [MemberData(nameof(RestoreFaults))]
    public void A_restore_backup_whose_call_fails_exits_3_with_the_errno_and_leaves_the_old_or_the_new_data_directory(string syscall, string errno)
    {
        File.WriteAllBytes(Path.Join(_dir.Data, "wal", "wal.log"), _wal);
        _dir.CreateSnapshot();
        Directory.CreateDirectory(Outputs);
        string archive = Path.Join(Outputs, "b.tar");
        Assert.Equal(0, CliProcess.Run("backup", _dir.Data, "--output", archive).ExitCode);

        string probe = OldTarget("probe");
        Assert.Equal(0, CliProcess.Run("restore-backup", archive, probe).ExitCode);
        Dictionary<string, string> fresh = TreeFingerprint.Of(probe);
        string target = OldTarget("target");
        Dictionary<string, string> old = TreeFingerprint.Of(target);
        string temporary = target + ".restore-backup-tmp";
        string swapped = Path.Join(temporary, "data");
        string[] watched =
        [
            archive, Path.GetDirectoryName(target)!, temporary, Path.Join(temporary, "READY"), swapped,
            .. StraceCommand.Tree(target),
            .. fresh.Keys.Concat(old.Keys).SelectMany(relative => new[] { Path.Join(target, relative), Path.Join(swapped, relative) }),
        ];

        StraceOutcome counting = StraceCommand.Run(syscall, null, watched, "restore-backup", archive, target, "--json");
        Assert.True(counting.Result.ExitCode == 0, counting.Result.ToString());
        int calls = counting.Calls;
        Assert.True(calls > 0, $"a restore-backup makes no {syscall} call on its paths:\n{counting.Trace}");

        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int n = 1; n <= calls; n++)
        {
            ResetTarget(target);
            string context = $"restore-backup, {syscall} {errno} on call #{n} of {calls}";
            StraceOutcome run = StraceCommand.Run(syscall, $"error={errno}:when={n}", watched, "restore-backup", archive, target, "--json");
            Assert.True(run.Injected == 1, $"{context}: strace failed {run.Injected} calls\n{run.Trace}");
            string exit = run.Result.ExitCode == 0 ? "exit 0" : AssertCleanFailure(run.Result, errno, context);
            string state = Which(target, old, fresh, context);
            Assert.True(run.Result.ExitCode != 0 || state == "new", $"{context}: exit 0 but the data directory is {state}");
            bool temporaryLeft = Directory.Exists(temporary);

            CliResult clean = CliProcess.Run("clean", target, "--json");
            Assert.True(clean.ExitCode == 0, $"{context}: clean failed: {clean}");
            Assert.False(Directory.Exists(temporary), $"{context}: clean left {temporary}");
            Assert.Equal(state, Which(target, old, fresh, context + ", after clean"));
            string outcome = $"{exit}: {state}{(temporaryLeft ? ", temporary directory left (removed by clean)" : string.Empty)}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        Report($"restore-backup {syscall} {errno}", calls, outcomes);
    }

    private static string AssertCleanFailure(CliResult result, string errno, string context)
    {
        (string? code, int? reported, string? step, string? path, string? message) = CliJson.Error(result);
        Assert.True(result.ExitCode == 3, $"{context}: exit {result.ExitCode}, expected 3\n{result}");
        Assert.True(reported == StraceCreate.ErrnoValue(errno), $"{context}: errno {reported}, expected {errno}\n{result}");
        Assert.False(string.IsNullOrWhiteSpace(path) || string.IsNullOrWhiteSpace(message), $"{context}: the error names no path or says nothing\n{result}");
        return $"exit 3 {code} errno {reported} at {step}";
    }

    private void Report(string what, int calls, SortedDictionary<string, int> outcomes)
    {
        output.WriteLine($"{what}: {calls} call(s) on its paths, each failed once: {calls} cases");
        foreach ((string outcome, int count) in outcomes)
        {
            output.WriteLine($"  {count,4}  {outcome}");
        }
    }

    private string OldTarget(string name)
    {
        string target = Path.Join(_dir.Root, name);
        ResetTarget(target);
        return target;
    }

    /// <summary>The old data directory: its own storage, a marker file and a schema.</summary>
    private static void ResetTarget(string target)
    {
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        Directory.CreateDirectory(Path.Join(target, "metadata", "schemas"));
        File.WriteAllText(Path.Join(target, "storage.dat"), "old storage");
        File.WriteAllText(Path.Join(target, "old-marker"), "old");
        File.WriteAllText(Path.Join(target, "metadata", "schemas", "old.json"), "{}");
    }

    private static string Which(string target, Dictionary<string, string> old, Dictionary<string, string> fresh, string context)
    {
        Dictionary<string, string> now = TreeFingerprint.Of(target);
        if (TreeFingerprint.Same(now, old))
        {
            return "old";
        }

        Assert.True(TreeFingerprint.Same(now, fresh), $"{context}: the data directory is neither the old nor the new one: {string.Join(", ", now.Select(kv => kv.Key + " " + kv.Value))}");
        return "new";
    }


    private static void AssertSameListing(Dictionary<string, string> before, Dictionary<string, string> after, string context)
        => Assert.True(TreeFingerprint.Same(before, after), $"{context}: the data directory changed");
}
