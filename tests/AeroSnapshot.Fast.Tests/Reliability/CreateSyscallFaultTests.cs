using System.Runtime.InteropServices;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Layout;
using AeroSnapshot.Fast.Tests.Support;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Create under every failing system call, in the test's own process (<see cref="InProcessFaultSweep"/>):
/// the N-th call of one system call on the snapshot's paths fails once, for every N a successful
/// create makes. Expected: the create throws a <see cref="SnapshotException"/> carrying the
/// injected errno, nothing new is visible in <c>snapshots/</c> (or, when the failed call came after
/// the publish rename, the published snapshot verifies), the earlier snapshot and the source are
/// unchanged, and <see cref="SnapshotManager.RemoveLeftovers"/> leaves no staging behind. A create
/// that completes as if nothing had failed is allowed only for the calls
/// <see cref="InProcessFaultSweep.MayBeIgnored"/> names. The command-line sweep
/// (<c>SyscallFaultTests</c> in the CLI tests) covers the same ground from another process; this one
/// exists so a mutation run of the library sees every error check of the create path fail its test.
/// </summary>
public sealed class CreateSyscallFaultTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset EarlierClock = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset SweptClock = EarlierClock.AddHours(1);

    /// <summary>mkdir on x64; arm64 has only mkdirat.</summary>
    private static readonly string MkDir = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "mkdir" : "mkdirat";

    private readonly TestDataDirectory _data = new();
    private readonly SnapshotManager _manager = new();

    public void Dispose()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    public static TheoryData<string, string, bool> Faults => new()
    {
        { "openat", "EIO", false },
        { "pread64", "EIO", false },
        { "pwrite64", "ENOSPC", false },
        { "fsync", "EIO", false },
        { "fdatasync", "EIO", false },
        { MkDir, "EACCES", false },
        { "renameat2", "EIO", false },
        { "fallocate", "ENOSPC", false },
        { "getdents64", "EIO", false },
        { "statfs", "EIO", false },
        { "sync_file_range", "EIO", false },
        { "fadvise64", "EIO", false },

        // The first snapshot creates snapshots/ and must make it durable in the data directory.
        { "fsync", "EIO", true },
        { "openat", "EIO", true },
        { MkDir, "EACCES", true },
    };

    [PrivilegedTheory(Needs = ["strace"])]
    [MemberData(nameof(Faults))]
    public void Create_fails_with_the_injected_errno_and_publishes_nothing_invalid_whichever_call_fails(string syscall, string errno, bool firstSnapshot)
    {
        _data.WriteStorage((3 << 20) + 11, seed: 5);
        _data.WriteSchema("users.json", "{\"u\":1}");
        _data.WriteSchema("app/deep/orders.json", "{\"o\":1}");
        if (!firstSnapshot)
        {
            Create(EarlierClock);
        }

        SnapshotId id = SnapshotId.FromDateTimeOffset(SweptClock);
        string published = _data.SnapshotDirectory(id);
        IReadOnlyList<string> snapshotsBefore = _data.SnapshotsListing();
        List<string> sourceBefore = TreeListing.Of(_data.Root).Where(static l => !l.StartsWith("snapshots", StringComparison.Ordinal)).ToList();

        InProcessFaultSweep.Run(
            output,
            firstSnapshot ? "first create" : "create",
            syscall,
            errno,
            PathsOf(id),
            () => Create(SweptClock),
            (call, result, error) =>
            {
                var findings = new List<string>();
                string outcome;
                bool visible = Directory.Exists(published);
                if (error is not null)
                {
                    findings.AddRange(InProcessFaultSweep.FailureFindings(error, syscall, errno));
                    outcome = visible ? "failed with the errno after the publish, snapshot verifies" : "failed with the errno, nothing published";
                }
                else
                {
                    outcome = "completed (failure tolerated)";
                    if (!InProcessFaultSweep.MayBeIgnored(call))
                    {
                        findings.Add("completed as if nothing had failed");
                    }
                }

                if (visible && !_manager.Verify(published).IsValid)
                {
                    findings.Add("the published snapshot does not verify");
                }

                IReadOnlyList<string> snapshotsNow = _data.SnapshotsListing();
                var earlier = snapshotsNow.Where(l => !l.StartsWith(id.ToString(), StringComparison.Ordinal) && !l.StartsWith(StagingArea.StagingPrefix, StringComparison.Ordinal)).ToList();
                if (!earlier.SequenceEqual(snapshotsBefore.Where(static l => !l.StartsWith(StagingArea.StagingPrefix, StringComparison.Ordinal))))
                {
                    findings.Add("the earlier snapshots changed");
                }

                if (!TreeListing.Of(_data.Root).Where(static l => !l.StartsWith("snapshots", StringComparison.Ordinal)).SequenceEqual(sourceBefore))
                {
                    findings.Add("the source changed");
                }

                return new InProcessFaultSweep.Verdict(outcome, findings);
            },
            () =>
            {
                _manager.RemoveLeftovers(_data.Root);
                List<string> findings = _data.SnapshotsListing().Any(static l => l.StartsWith('.'))
                    ? ["RemoveLeftovers left a hidden entry in snapshots/"]
                    : [];
                if (Directory.Exists(published))
                {
                    TestDataDirectory.DeleteTree(published);
                }

                if (firstSnapshot && Directory.Exists(_data.SnapshotsDirectory))
                {
                    Directory.Delete(_data.SnapshotsDirectory, recursive: true);
                }

                return findings;
            });
    }

    private SnapshotResult Create(DateTimeOffset clock)
    {
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            return _manager.CreateSnapshot(
                _data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock,
                new SnapshotOptions { TimeProvider = new FixedTimeProvider(clock) });
        }
    }

    /// <summary>Every path the create touches: the sources, snapshots/, the staging directory and the published one, with what is in them.</summary>
    private string[] PathsOf(SnapshotId id)
    {
        var paths = new List<string> { _data.Root, _data.SnapshotsDirectory };
        paths.AddRange(Directory.EnumerateFileSystemEntries(Path.Join(_data.Root, "metadata"), "*", SearchOption.AllDirectories).Prepend(Path.Join(_data.Root, "metadata")));
        paths.Add(_data.StoragePath);
        var inSnapshot = new List<string> { string.Empty, "storage.dat", "manifest.json", "manifest.json.tmp", "schemas" };
        inSnapshot.AddRange(Directory.EnumerateFileSystemEntries(_data.SchemaDirectory, "*", SearchOption.AllDirectories)
            .Select(p => Path.Join("schemas", Path.GetRelativePath(_data.SchemaDirectory, p))));
        foreach (string directory in new[] { StagingArea.StagingName(id), id.ToString() })
        {
            paths.AddRange(inSnapshot.Select(r => Path.TrimEndingDirectorySeparator(Path.Join(_data.SnapshotsDirectory, directory, r))));
        }

        return [.. paths.Distinct(StringComparer.Ordinal)];
    }
}
