using System.Globalization;
using System.IO.Hashing;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Suite 4 (out of space) for checkpoint, backup and restore-backup, on real small file systems
/// (a size-limited tmpfs and ext4 on a loop device, as <see cref="OutOfSpaceTests"/>), filled to
/// leave an exact amount free. Every case that does not fit must fail with exit 3 and errno 28
/// (ENOSPC), leave no partial archive or temporary directory, leave the data directory as it was (or,
/// for checkpoint, in a state <see cref="CheckpointStates"/> allows), and give every byte back.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed class OutOfSpaceBackupTests(ITestOutputHelper output)
{
    public static TheoryData<string> FileSystems => new() { "tmpfs", "ext4" };

    /// <summary>Backup: the data directory on the ordinary disk, <c>--output</c> on the small file system.</summary>
    [PrivilegedTheory]
    [MemberData(nameof(FileSystems))]
    public void A_backup_that_does_not_fit_fails_with_enospc_leaves_no_archive_and_gives_the_space_back(string type)
    {
        using var source = new DataDirectory(storageBytes: (4 << 20) + 5);
        File.WriteAllBytes(Path.Join(source.Data, "wal", "wal.log"), BackupCommandTests.FramedWal(100));
        source.CreateSnapshot();
        Dictionary<string, string> dataBefore = TreeFingerprint.Of(source.Data);
        using SmallFileSystem fs = SmallFileSystem.Mount(type, 16L << 20);
        string outputs = Path.Join(fs.MountPoint, "out");
        Directory.CreateDirectory(outputs);
        string archive = Path.Join(outputs, "b.tar");

        // The archive's size, from a backup with room to spare.
        CliResult roomy = CliProcess.Run("backup", source.Data, "--output", archive, "--json");
        Assert.True(roomy.ExitCode == 0, roomy.ToString());
        long size = new FileInfo(archive).Length;
        File.Delete(archive);
        long block = fs.BlockSize;

        var cases = new (string Name, long Free)[]
        {
            ("no room at all", 0),
            ("3 blocks", 3 * block),
            ("half the archive", size / 2),
            ("the archive minus 2 blocks", size - (2 * block)),
        };
        foreach ((string name, long free) in cases)
        {
            fs.RemoveFillers();
            long before = fs.LeaveAvailable(free);
            CliResult result = CliProcess.Run("backup", source.Data, "--output", archive, "--json");
            string context = $"{type}, backup, {name} ({before} B free, archive {size} B)";
            string step = AssertEnospc(result, context);
            Assert.Empty(Directory.EnumerateFileSystemEntries(outputs));
            Assert.Equal(before, fs.AvailableBytes);
            Assert.True(TreeFingerprint.Same(dataBefore, TreeFingerprint.Of(source.Data)), $"{context}: the data directory changed");
            output.WriteLine($"{context}: exit 3, errno 28 at {step}; nothing at --output, no partial file; free space back to {before} B");
        }

        // Enough room: the backup fits and verifies.
        fs.RemoveFillers();
        long ample = fs.LeaveAvailable(size + (64 * block));
        CliResult fits = CliProcess.Run("backup", source.Data, "--output", archive, "--json");
        Assert.True(fits.ExitCode == 0, $"{type}: {ample} B free: {fits}");
        Assert.Equal(0, CliProcess.Run("verify-backup", archive).ExitCode);
        output.WriteLine($"{type}: with {ample} B free the {size} B archive fits and verifies; {cases.Length + 1} cases");
    }

    /// <summary>Restore-backup: the archive on the ordinary disk, the data directory on the small file system.</summary>
    [PrivilegedTheory]
    [MemberData(nameof(FileSystems))]
    public void A_restore_backup_that_does_not_fit_fails_with_enospc_leaves_the_old_data_directory_and_gives_the_space_back(string type)
    {
        using var source = new DataDirectory(storageBytes: (4 << 20) + 5);
        File.WriteAllBytes(Path.Join(source.Data, "wal", "wal.log"), BackupCommandTests.FramedWal(100));
        source.CreateSnapshot();
        string archive = Path.Join(source.Root, "b.tar");
        Assert.Equal(0, CliProcess.Run("backup", source.Data, "--output", archive).ExitCode);
        long size = new FileInfo(archive).Length;

        using SmallFileSystem fs = SmallFileSystem.Mount(type, 24L << 20);
        string target = Path.Join(fs.MountPoint, "data");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Join(target, "storage.dat"), "old storage");
        File.WriteAllText(Path.Join(target, "old-marker"), "old");
        Dictionary<string, string> old = TreeFingerprint.Of(target);
        long block = fs.BlockSize;

        var cases = new (string Name, long Free)[]
        {
            ("no room at all", 0),
            ("3 blocks", 3 * block),
            ("half the archive", size / 2),
            ("the archive minus 4 blocks", size - (4 * block)),
        };
        foreach ((string name, long free) in cases)
        {
            fs.RemoveFillers();
            long before = fs.LeaveAvailable(free);
            CliResult result = CliProcess.Run("restore-backup", archive, target, "--json");
            string context = $"{type}, restore-backup, {name} ({before} B free, archive {size} B)";
            string step = AssertEnospc(result, context);
            Assert.True(TreeFingerprint.Same(old, TreeFingerprint.Of(target)), $"{context}: the data directory is not the old one");
            Assert.False(Directory.Exists(target + ".restore-backup-tmp"), $"{context}: the temporary directory was left");
            Assert.Equal(before, fs.AvailableBytes);
            output.WriteLine($"{context}: exit 3, errno 28 at {step}; the old data directory intact, no temporary directory; free space back to {before} B");
        }

        fs.RemoveFillers();
        CliResult fits = CliProcess.Run("restore-backup", archive, target, "--json");
        Assert.True(fits.ExitCode == 0, $"{type}: with the file system empty: {fits}");
        output.WriteLine($"{type}: with {fs.AvailableBytes} B left after it, the restore fits; {cases.Length + 1} cases");
    }

    /// <summary>
    /// Checkpoint: the whole data directory on the small file system. Too little room for the
    /// snapshot fails before anything is written; room for the snapshot but not for the checkpoint's
    /// own small files (intent, marker) fails after the snapshot is published, with the WAL untouched.
    /// </summary>
    [PrivilegedTheory]
    [MemberData(nameof(FileSystems))]
    public void A_checkpoint_that_does_not_fit_fails_with_enospc_and_never_loses_the_wal(string type)
    {
        using SmallFileSystem fs = SmallFileSystem.Mount(type, 24L << 20);
        string data = Path.Join(fs.MountPoint, "data");
        Directory.CreateDirectory(Path.Join(data, "wal"));
        Directory.CreateDirectory(Path.Join(data, "metadata", "schemas"));
        byte[] storage = new byte[(2 << 20) + 3];
        new Random(7).NextBytes(storage);
        File.WriteAllBytes(Path.Join(data, "storage.dat"), storage);
        File.WriteAllText(Path.Join(data, "metadata", "schemas", "a.json"), """{"name":"a"}""");
        byte[] wal = BackupCommandTests.FramedWal(100);
        File.WriteAllBytes(Path.Join(data, "wal", "wal.log"), wal);
        ExpectedContent expected = ExpectedContent.Read(Path.Join(data, "storage.dat"), Path.Join(data, "metadata", "schemas"));
        long block = fs.BlockSize;

        var outcomes = new List<string>();
        bool succeeded = false;
        for (long extraBlocks = -4; extraBlocks <= 40 && !succeeded; extraBlocks += extraBlocks < 0 ? 2 : 1)
        {
            Reset(data, wal);
            fs.RemoveFillers();
            long before = fs.LeaveAvailable(Math.Max(0, storage.Length + (extraBlocks * block)));
            CliResult result = CliProcess.Run("checkpoint", data, "--json");
            string context = $"{type}, checkpoint, {before} B free (storage {storage.Length} B)";
            byte[] walNow = File.ReadAllBytes(Path.Join(data, "wal", "wal.log"));
            bool marker = File.Exists(Path.Join(data, "checkpoint.json"));
            if (result.ExitCode == 0)
            {
                Assert.True(walNow.Length == 0 && marker, $"{context}: exit 0 but the WAL has {walNow.Length} B and the marker is {(marker ? "there" : "absent")}");
                outcomes.Add($"{before} B free: fits (empty WAL, marker)");
                succeeded = true;
                break;
            }

            string step = AssertEnospc(result, context);
            Assert.True(walNow.AsSpan().SequenceEqual(wal) || (walNow.Length == 0 && marker), $"{context}: the WAL is neither old nor reset under a durable marker");
            CliResult clean = CliProcess.Run("clean", data, "--json");
            Assert.True(clean.ExitCode == 0, $"{context}: clean failed: {clean}");
            Assert.False(File.Exists(Path.Join(data, ".checkpoint-intent")), $"{context}: clean left the intent");
            string snapshots = string.Join(",", Directory.Exists(Path.Join(data, "snapshots")) ? Directory.GetDirectories(Path.Join(data, "snapshots")).Select(Path.GetFileName) : []);
            Assert.DoesNotContain(".staging-", snapshots, StringComparison.Ordinal);
            foreach (string id in snapshots.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                List<string> problems = IndependentSnapshotOracle.Judge(Path.Join(data, "snapshots", id), expected);
                Assert.True(problems.Count == 0, $"{context}: published snapshot {id} rejected by the oracle: {string.Join("; ", problems)}");
            }

            walNow = File.ReadAllBytes(Path.Join(data, "wal", "wal.log"));
            string settled = walNow.AsSpan().SequenceEqual(wal) && !File.Exists(Path.Join(data, "checkpoint.json")) ? "old WAL, no marker" : walNow.Length == 0 && File.Exists(Path.Join(data, "checkpoint.json")) ? "empty WAL, marker" : "NEITHER";
            Assert.NotEqual("NEITHER", settled);
            outcomes.Add($"{before} B free: exit 3 errno 28 at {step}; {(snapshots.Length == 0 ? "no snapshot" : "snapshot published, valid")}; after clean: {settled}");
        }

        Assert.True(succeeded, "the checkpoint never fitted");
        output.WriteLine($"{type}: {outcomes.Count} cases");
        foreach (string outcome in outcomes)
        {
            output.WriteLine("  " + outcome);
        }
    }

    private static void Reset(string data, byte[] wal)
    {
        string snapshots = Path.Join(data, "snapshots");
        if (Directory.Exists(snapshots))
        {
            Directory.Delete(snapshots, recursive: true);
        }

        foreach (string name in new[] { "checkpoint.json", "checkpoint.json.tmp", ".checkpoint-intent", ".checkpoint-intent.tmp" })
        {
            File.Delete(Path.Join(data, name));
        }

        File.WriteAllBytes(Path.Join(data, "wal", "wal.log"), wal);
    }

    private static string AssertEnospc(CliResult result, string context)
    {
        (string? code, int? errno, string? step, string? path, string? message) = CliJson.Error(result);
        Assert.True(result.ExitCode == 3 && errno == 28, $"{context}: expected exit 3 with errno 28 (ENOSPC): {result}");
        Assert.False(string.IsNullOrWhiteSpace(path) || string.IsNullOrWhiteSpace(message), $"{context}: the error names no path: {result}");
        return $"{step} ({code})";
    }
}
