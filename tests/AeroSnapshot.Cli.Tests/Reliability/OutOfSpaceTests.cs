using System.Globalization;
using System.Text.RegularExpressions;
using AeroSnapshot.Fast;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Suite 4 of issue #7: out of space, on real small file systems (a size-limited tmpfs, and ext4 on
/// a loop device). The sources stay on the ordinary disk (<c>--storage</c>, <c>--schemas</c>,
/// <c>--wal</c>); only the data directory that receives the snapshot is on the small file system,
/// which is then filled with filler files to leave an exact amount free. Where the free-space check
/// can know, the create fails early (Prepare, AERO_SNAPSHOT_IO, errno 28, both numbers in the
/// message); otherwise it fails cleanly with ENOSPC; either way every byte and inode comes back.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed partial class OutOfSpaceTests(ITestOutputHelper output)
{
    public static TheoryData<string> FileSystems => new() { "tmpfs", "ext4" };

    [PrivilegedTheory]
    [MemberData(nameof(FileSystems))]
    public void Create_that_cannot_fit_fails_early_with_both_numbers_and_leaves_the_space_as_it_was(string type)
    {
        using var setup = new Destination(type);
        long storage = new FileInfo(setup.Sources.StoragePath).Length;
        long block = setup.Fs.BlockSize;

        // The estimate the check works with comes from its own message, with no room at all.
        (CliResult noRoom, long available) = setup.CreateWithAvailable(0);
        long needed = AssertEarlyFailure(noRoom, available, setup, "no room at all");
        output.WriteLine($"{type}: block {block} B, storage file {storage} B; the check asks for {needed} B");
        output.WriteLine($"  no room at all                          {available,9} B free: exit 3, AERO_SNAPSHOT_IO errno 28 at prepare, early");

        var scenarios = new (string Name, long Free)[]
        {
            ("a few blocks (3)", 3 * block),
            ("half the storage file", storage / 2),
            ("the storage file's size minus one byte", storage - 1),
            ("one byte short of the check's estimate", needed - 1),
        };
        foreach ((string name, long free) in scenarios)
        {
            (CliResult result, long availableBefore) = setup.CreateWithAvailable(free);
            Assert.Equal(needed, AssertEarlyFailure(result, availableBefore, setup, name));
            output.WriteLine($"  {name,-39} {availableBefore,9} B free: exit 3, AERO_SNAPSHOT_IO errno 28 at prepare, early");
        }

        output.WriteLine($"{type}: {scenarios.Length + 1} cases, all failed early with both numbers; free space after each = before; nothing published, no staging");
    }

    [PrivilegedTheory]
    [MemberData(nameof(FileSystems))]
    public void Create_given_exactly_the_space_the_check_asks_for_succeeds_or_fails_cleanly(string type)
    {
        using var setup = new Destination(type);
        (CliResult probe, long none) = setup.CreateWithAvailable(0);
        long needed = AssertEarlyFailure(probe, none, setup, "no room at all");

        (CliResult result, long before) = setup.CreateWithAvailable(needed);

        Observation seen = setup.Invariants.Check($"{type}, exactly {needed} B free");
        if (result.ExitCode == 0)
        {
            Assert.Single(seen.NewSnapshots);
            output.WriteLine($"{type}: {before} B free (exactly the estimate): the snapshot fits and verifies; {setup.Fs.AvailableBytes} B left");
            setup.Invariants.Discard(seen.NewSnapshots);
        }
        else
        {
            AssertCleanEnospc(result, seen, setup, before, "exactly the estimate");
            output.WriteLine($"{type}: {before} B free (exactly the estimate): clean ENOSPC at {CliJson.Error(result).Step}; free space back to {before} B");
        }
    }

    /// <summary>
    /// The check counts bytes, not inodes: with blocks to spare and k inodes free, the create runs out
    /// at its k-th new file or directory. Every k from none to enough: a clean ENOSPC at each step
    /// that makes an inode, everything it made removed, the inodes back; then success.
    /// </summary>
    [PrivilegedTheory]
    [MemberData(nameof(FileSystems))]
    public void Create_that_runs_out_of_inodes_fails_cleanly_at_every_step_and_gives_them_back(string type)
    {
        using var setup = new Destination(type, inodes: type == "ext4" ? 256 : 1024);
        var steps = new List<string>();
        int freeInodes = 0;
        for (; freeInodes <= 30; freeInodes++)
        {
            setup.Fs.RemoveFillers();
            if (type == "tmpfs")
            {
                setup.Fs.RemountWithInodes(setup.Fs.UsedInodes + freeInodes);
            }
            else
            {
                setup.Fs.LeaveInodes(freeInodes);
            }

            long inodesBefore = setup.Fs.AvailableInodes;
            long bytesBefore = setup.Fs.AvailableBytes;
            Assert.Equal(freeInodes, inodesBefore);
            CliResult result = setup.Create();
            Observation seen = setup.Invariants.Check($"{type}, {freeInodes} inode(s) free");
            if (result.ExitCode == 0)
            {
                Assert.Single(seen.NewSnapshots);
                setup.Invariants.Discard(seen.NewSnapshots);
                break;
            }

            AssertCleanEnospc(result, seen, setup, bytesBefore, $"{freeInodes} inode(s) free");
            Assert.Equal(inodesBefore, setup.Fs.AvailableInodes);
            steps.Add(CliJson.Error(result).Step ?? "-");
        }

        Assert.True(freeInodes <= 30, "the create never succeeded");
        output.WriteLine($"{type}: a create needs {freeInodes} inodes; with 0..{freeInodes - 1} free it failed cleanly (exit 3, AERO_SNAPSHOT_IO errno 28) at: {string.Join(", ", steps)}; inodes and bytes after = before each time; with {freeInodes} it succeeded");
        output.WriteLine($"{type}: {freeInodes + 1} cases");
    }

    /// <summary>Asserts the check's early failure; returns the byte count it said the snapshot needs.</summary>
    private static long AssertEarlyFailure(CliResult result, long availableBefore, Destination setup, string scenario)
    {
        (string? code, int? errno, string? step, _, string? message) = CliJson.Error(result);
        Assert.True(result.ExitCode == 3 && code == SnapshotErrorCode.IO && errno == 28 && step == "prepare", $"{scenario}: expected an early AERO_SNAPSHOT_IO errno 28 at prepare: {result}");
        Match numbers = NeedsAndAvailable().Match(message ?? string.Empty);
        Assert.True(numbers.Success, $"{scenario}: the message does not give both numbers: {message}");
        Assert.Equal(availableBefore, long.Parse(numbers.Groups["available"].Value, CultureInfo.InvariantCulture));
        long needed = long.Parse(numbers.Groups["needed"].Value, CultureInfo.InvariantCulture);
        Assert.True(needed > availableBefore, $"{scenario}: the check refused {needed} B with {availableBefore} B free");

        Observation seen = setup.Invariants.Check(scenario);
        Assert.Empty(seen.NewSnapshots);
        Assert.Empty(seen.Leftovers);
        Assert.Equal(availableBefore, setup.Fs.AvailableBytes);
        return needed;
    }

    /// <summary>A failure after the check: ENOSPC from the file system, nothing left, the space back.</summary>
    private static void AssertCleanEnospc(CliResult result, Observation seen, Destination setup, long availableBefore, string scenario)
    {
        (string? code, int? errno, _, _, _) = CliJson.Error(result);
        Assert.True(result.ExitCode == 3 && code == SnapshotErrorCode.IO && errno == 28, $"{scenario}: expected AERO_SNAPSHOT_IO errno 28: {result}");
        Assert.Empty(seen.NewSnapshots);
        Assert.True(seen.Leftovers.Count == 0, $"{scenario}: the failed create left {string.Join(", ", seen.Leftovers)}: {result}");
        Assert.Equal(availableBefore, setup.Fs.AvailableBytes);
    }

    [GeneratedRegex(@"needs about (?<needed>[0-9]+) bytes and (?<available>[0-9]+) are available")]
    private static partial Regex NeedsAndAvailable();

    /// <summary>
    /// Sources on the ordinary disk, the data directory (with two earlier snapshots) on a small file
    /// system of <c>type</c>.
    /// </summary>
    private sealed class Destination : IDisposable
    {
        private readonly string[] _overrides;

        public Destination(string type, long? inodes = null)
        {
            Sources = new DataDirectory();
            Fs = SmallFileSystem.Mount(type, type == "tmpfs" ? 24L << 20 : 48L << 20, inodes);
            string data = Path.Join(Fs.MountPoint, "data");
            Directory.CreateDirectory(data);
            string wal = Path.Join(Sources.Data, "wal", "wal.log");
            _overrides = ["--storage", Sources.StoragePath, "--schemas", Sources.SchemasPath, "--wal", wal];
            Invariants = EarlierSnapshots.In(new SnapshotSources(data, Sources.StoragePath, Sources.SchemasPath, wal), _overrides);
        }

        public DataDirectory Sources { get; }

        public SmallFileSystem Fs { get; }

        public SnapshotInvariants Invariants { get; }

        public CliResult Create() => CliProcess.Run(["create", Invariants.Sources.DataDirectory, "--json", .. _overrides]);

        /// <summary>Fills the file system to leave <paramref name="bytes"/> (whole blocks) free, then creates.</summary>
        public (CliResult Result, long AvailableBefore) CreateWithAvailable(long bytes)
        {
            Fs.RemoveFillers();
            long before = Fs.LeaveAvailable(bytes);
            return (Create(), before);
        }

        public void Dispose()
        {
            Invariants.Dispose();
            Fs.Dispose();
            Sources.Dispose();
        }
    }
}
