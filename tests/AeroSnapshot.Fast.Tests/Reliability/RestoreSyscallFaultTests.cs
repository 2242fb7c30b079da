using System.Runtime.InteropServices;
using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.TestSupport.Strace;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Restore in place under every failing system call, in the test's own process: strace, attached
/// to this thread, fails the N-th call of one system call on the restore's paths, for every N a
/// successful restore makes. Expected: the restore throws a <see cref="SnapshotException"/> carrying
/// the injected errno and the data directory is exactly as it was (contents and modes), or it
/// completes with the snapshot's data and, when its tidy-up was what failed, a
/// <see cref="RestoreResult.CleanupFailure"/> carrying the errno; the snapshot is never changed; and
/// the next restore puts everything right. A restore that completes as if nothing had failed is
/// allowed only for the calls <see cref="InProcessFaultSweep.MayBeIgnored"/> names, and only if it leaves nothing behind. Found by the mutation runs of issue #17:
/// every error check of the restore path could be inverted (<c>&lt; 0</c> to <c>&gt; 0</c>) without
/// failing a test, because no test made those calls fail; and, being in-process, this sweep runs the
/// very assembly a mutation tool loaded, which the CLI's sweeps (another process) do not.
/// </summary>
public sealed class RestoreSyscallFaultTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>mkdir on x64; arm64 has only mkdirat.</summary>
    private static readonly string MkDir = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "mkdir" : "mkdirat";

    private readonly ReadSideWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private string Data => _workspace.DataDirectory;

    public static TheoryData<string, string> Faults => new()
    {
        { "openat", "EIO" },
        { "pread64", "EIO" },
        { "pwrite64", "ENOSPC" },
        { "fsync", "EIO" },
        { "fdatasync", "EIO" },
        { MkDir, "EACCES" },
        { "renameat2", "EIO" },
        { "fchmod", "EPERM" },
        { "unlinkat", "EIO" },
        { "unlink", "EIO" },
        { "getdents64", "EIO" },
        { "fallocate", "ENOSPC" },
        { "fadvise64", "EIO" },
    };

    [PrivilegedTheory(Needs = ["strace"])]
    [MemberData(nameof(Faults))]
    public void Restore_fails_with_the_injected_errno_and_changes_nothing_or_completes_whichever_call_fails(string syscall, string errno)
    {
        SnapshotId id = Prepare();
        string snapshot = _workspace.SnapshotPath(id);
        List<string> snapshotBefore = TreeListing.Of(snapshot);
        List<string> restored = TreeListing.OfSnapshotData(snapshot);
        List<string> before = TreeListing.Of(Data);

        InProcessFaultSweep.Run(
            output,
            "restore",
            syscall,
            errno,
            PathsOf(id),
            () => _workspace.Manager.Restore(snapshot, Data),
            (call, result, error) =>
            {
                var findings = new List<string>();
                string outcome;
                if (error is not null)
                {
                    outcome = "failed with the errno, data directory unchanged";
                    findings.AddRange(InProcessFaultSweep.FailureFindings(error, syscall, errno));
                    if (!TreeListing.Of(Data).SequenceEqual(before))
                    {
                        findings.Add($"failed, but the data directory changed: {error.Message}");
                    }
                }
                else
                {
                    Exception? cleanup = result!.CleanupFailure;
                    outcome = cleanup is null ? "completed (failure tolerated)" : "completed, tidy-up failure reported";
                    if (!TreeListing.OfRestoredData(Data).SequenceEqual(restored))
                    {
                        findings.Add("completed without the snapshot's data");
                    }

                    if (cleanup is null && !InProcessFaultSweep.MayBeIgnored(call))
                    {
                        findings.Add("completed as if nothing had failed");
                    }

                    if (cleanup is null && Siblings().Count > 0)
                    {
                        findings.Add($"completed without reporting a failure, but left {string.Join(", ", Siblings())}");
                    }

                    if (cleanup is not null && !cleanup.Message.Contains(errno, StringComparison.Ordinal))
                    {
                        findings.Add($"the tidy-up failure does not name {errno}: {cleanup.Message}");
                    }
                }

                if (!TreeListing.Of(snapshot).SequenceEqual(snapshotBefore))
                {
                    findings.Add("the snapshot changed");
                }

                return new InProcessFaultSweep.Verdict(outcome, findings);
            },
            () =>
            {
                // The next restore must put right whatever the failed one left; then the case starts again.
                _workspace.Manager.Restore(snapshot, Data);
                List<string> findings = TreeListing.OfRestoredData(Data).SequenceEqual(restored) && Siblings().Count == 0
                    ? []
                    : [$"the next restore did not put things right ({string.Join(", ", Siblings())})"];
                Reset(before);
                return findings;
            });
    }

    /// <summary>A data directory with a WAL, a lock file and other metadata, changed since its one snapshot.</summary>
    private SnapshotId Prepare()
    {
        _workspace.WriteStorage(new byte[70_000]);
        _workspace.WriteSchema("users.json", "{\"u\":1}");
        _workspace.WriteSchema("app/orders.json", "{\"o\":1}");
        SnapshotId id = _workspace.Snapshot();
        Directory.CreateDirectory(Path.Join(Data, "wal"));
        File.WriteAllText(Path.Join(Data, "wal", "wal.log"), "records");
        File.WriteAllText(Path.Join(Data, "LOCK"), string.Empty);
        File.WriteAllText(Path.Join(Data, "metadata", "catalog.json"), "{}");
        _workspace.WriteStorage(new byte[90_000]);
        _workspace.WriteSchema("later.json", "{}");
        return id;
    }

    /// <summary>Puts the data directory back as <see cref="Prepare"/> left it (after a restore succeeded).</summary>
    private void Reset(List<string> before)
    {
        Directory.CreateDirectory(Path.Join(Data, "wal"));
        File.WriteAllText(Path.Join(Data, "wal", "wal.log"), "records");
        File.WriteAllText(Path.Join(Data, "metadata", "catalog.json"), "{}");
        _workspace.WriteStorage(new byte[90_000]);
        _workspace.WriteSchema("later.json", "{}");
        Assert.Equal(before, TreeListing.Of(Data));
        Assert.Empty(Siblings());
    }

    private List<string> Siblings() => Directory.EnumerateFileSystemEntries(_workspace.Root)
        .Select(p => Path.GetFileName(p)!)
        .Where(n => n.Contains(".restore-", StringComparison.Ordinal))
        .ToList();

    /// <summary>
    /// Every path the restore touches (strace's <c>-P</c> matches whole paths): the data directory and
    /// what is in it, the same names in the directory it builds beside it, its parent, and the snapshot.
    /// </summary>
    private string[] PathsOf(SnapshotId id)
    {
        string sibling = RestoreTarget.For(Data).SiblingFor(id);
        string snapshot = _workspace.SnapshotPath(id);
        var relative = new HashSet<string>(StringComparer.Ordinal)
        {
            "storage.dat", "metadata", "metadata/schemas", "wal", "wal/wal.log", "LOCK", "snapshots",
            RestoreIntent.FileName, RestoreIntent.FileName + ".tmp",
        };
        foreach (string entry in Directory.EnumerateFileSystemEntries(Data, "*", SearchOption.AllDirectories))
        {
            relative.Add(Path.GetRelativePath(Data, entry));
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(Path.Join(snapshot, "schemas"), "*", SearchOption.AllDirectories))
        {
            relative.Add(Path.Join("metadata", "schemas", Path.GetRelativePath(Path.Join(snapshot, "schemas"), entry)));
        }

        var paths = new List<string> { Data, sibling, _workspace.Root, snapshot };
        foreach (string r in relative)
        {
            paths.Add(Path.Join(Data, r));
            paths.Add(Path.Join(sibling, r));
        }

        paths.AddRange(Directory.EnumerateFileSystemEntries(snapshot, "*", SearchOption.AllDirectories));
        return [.. paths.Distinct(StringComparer.Ordinal)];
    }
}
