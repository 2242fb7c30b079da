using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Issue 25 items 3 and 4, as the built tool: nothing is reserved on an archive's word (a size the
/// archive cannot hold is corruption, exit 1, before anything is written, whatever the free space),
/// and verify-backup measures names and paths as restore-backup would write them on its target.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed class ArchiveWordTests(ITestOutputHelper output)
{
    [PrivilegedFact]
    public void A_small_archive_declaring_a_large_file_reserves_nothing_and_gets_the_same_verdict_whatever_the_free_space()
    {
        // A real 12 MiB backup cut to 79 KiB: storage.dat's header still says 12 MiB.
        using var source = new DataDirectory(storageBytes: 12 << 20);
        File.WriteAllBytes(Path.Join(source.Data, "wal", "wal.log"), BackupCommandTests.FramedWal(3));
        source.CreateSnapshot();
        string full = Path.Join(source.Root, "full.tar");
        Assert.Equal(0, CliProcess.Run("backup", source.Data, "--output", full).ExitCode);
        string archive = Path.Join(source.Root, "small.tar");
        using (FileStream from = File.OpenRead(full))
        using (FileStream to = File.Create(archive))
        {
            var head = new byte[79 * 1024];
            from.ReadExactly(head);
            to.Write(head);
        }

        using SmallFileSystem fs = SmallFileSystem.Mount("tmpfs", 16L << 20);
        string target = Path.Join(fs.MountPoint, "data");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Join(target, "storage.dat"), "old storage");
        Dictionary<string, string> old = TreeFingerprint.Of(target);
        foreach ((string room, long free) in new[] { ("room to spare", 15L << 20), ("1 MiB free", 1L << 20), ("nothing free", 0L) })
        {
            fs.RemoveFillers();
            long before = fs.LeaveAvailable(free);
            CliResult verify = CliProcess.Run("verify-backup", archive, "--target", target, "--json");
            CliResult restore = CliProcess.Run("restore-backup", archive, target, "--json");

            string context = $"{room} ({before} B free)";
            Assert.True(verify.ExitCode == 1, $"{context}: {verify}");
            Assert.True(restore.ExitCode == 1, $"{context}: {restore}");
            Assert.Equal(CliJson.Error(verify).Code, CliJson.Error(restore).Code);
            Assert.Contains("declares 12582912 bytes of data but only", CliJson.Error(restore).Message, StringComparison.Ordinal);
            Assert.Equal(before, fs.AvailableBytes);
            Assert.True(TreeFingerprint.Same(old, TreeFingerprint.Of(target)), $"{context}: the data directory changed");
            Assert.False(Directory.Exists(target + ".restore-backup-tmp"));
            output.WriteLine($"{context}: verify-backup and restore-backup exit 1 ({CliJson.Error(restore).Code}); free space still {fs.AvailableBytes} B");
        }
    }

    [Fact]
    public void Verify_backup_with_a_target_refuses_a_path_restore_backup_could_not_write_there()
    {
        // A schema path that, with the source's own path, comes to about 4,000 bytes: it fits
        // PATH_MAX in the source and in its snapshot's staging directory, and not under a target
        // whose path is a few hundred bytes deeper. Sized from the source's path, since TMPDIR
        // may be anywhere (a bare machine's is 25 bytes longer than /tmp).
        using var source = new DataDirectory(storageBytes: 4096);
        File.WriteAllBytes(Path.Join(source.Data, "wal", "wal.log"), BackupCommandTests.FramedWal(2));
        int segment = (4000 - source.Data.Length - 19) / 20;
        string deep = string.Join('/', Enumerable.Range(0, 20).Select(i => $"{i:D2}" + new string('s', segment - 2)));
        source.WriteSchema(deep + "/x.json", "{}");
        source.CreateSnapshot();
        string archive = Path.Join(source.Root, "b.tar");
        CliResult backup = CliProcess.Run("backup", source.Data, "--output", archive);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        string target = Path.Join(source.Root, new string('t', 200), "data");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Join(target, "storage.dat"), "old");

        CliResult anywhere = CliProcess.Run("verify-backup", archive);
        CliResult there = CliProcess.Run("verify-backup", archive, "--target", target, "--json");
        CliResult restore = CliProcess.Run("restore-backup", archive, target, "--json");

        Assert.True(anywhere.ExitCode == 0, anywhere.ToString());
        Assert.True(there.ExitCode == 1, there.ToString());
        Assert.True(restore.ExitCode == 1, restore.ToString());
        Assert.Equal(CliJson.Error(there).Code, CliJson.Error(restore).Code);
        Assert.Contains("PATH_MAX", CliJson.Error(restore).Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(Path.Join(target, "storage.dat")));
    }
}
