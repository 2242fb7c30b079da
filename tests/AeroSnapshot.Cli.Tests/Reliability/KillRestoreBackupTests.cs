using System.Diagnostics;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Suite 2 for restore-backup: the tool is killed (SIGKILL) at moments spread over a measured
/// restore, from start-up to after the swap. After each kill the data directory must be complete,
/// the old one or the new one, and <c>aerosnap clean</c> must remove whatever is left beside it
/// without changing which one it is.
/// </summary>
public sealed class KillRestoreBackupTests(ITestOutputHelper output) : IDisposable
{
    private const int Trials = 10;
    private readonly DataDirectory _source = new(storageBytes: 48 * 1024 * 1024 + 5);

    public void Dispose() => _source.Dispose();

    [Fact]
    public void A_restore_backup_killed_at_any_moment_leaves_the_old_or_the_new_data_directory()
    {
        File.WriteAllBytes(Path.Join(_source.Data, "wal", "wal.log"), BackupCommandTests.FramedWal(50));
        _source.CreateSnapshot();
        string archive = Path.Join(_source.Root, "backup.tar");
        Assert.Equal(0, CliProcess.Run("backup", _source.Data, "--output", archive).ExitCode);

        string probe = NewTarget("probe");
        CliResult measured = CliProcess.Run("restore-backup", archive, probe);
        Assert.True(measured.ExitCode == 0, measured.ToString());
        TimeSpan full = measured.Elapsed;
        byte[] newStorage = File.ReadAllBytes(Path.Join(probe, "storage.dat"));

        int old = 0, fresh = 0;
        for (int trial = 0; trial < Trials; trial++)
        {
            string target = NewTarget($"t{trial}");
            TimeSpan delay = full * (trial + 0.5) / Trials;
            bool finished = KillAfter(delay, "restore-backup", archive, target);

            bool isOld = IsOld(target);
            bool isNew = !isOld && File.Exists(Path.Join(target, "storage.dat")) && File.ReadAllBytes(Path.Join(target, "storage.dat")).AsSpan().SequenceEqual(newStorage);
            output.WriteLine($"trial {trial}: killed after {delay.TotalMilliseconds:F0} ms{(finished ? " (had finished)" : string.Empty)}: {(isOld ? "old" : isNew ? "new" : "NEITHER")}, temporary directory {(Directory.Exists(target + ".restore-backup-tmp") ? "left" : "absent")}");
            Assert.True(isOld || isNew, $"trial {trial}: the data directory is neither the old nor the new one");

            CliResult clean = CliProcess.Run("clean", target);
            Assert.True(clean.ExitCode == 0, clean.ToString());
            Assert.False(Directory.Exists(target + ".restore-backup-tmp"));
            Assert.Equal(isOld, IsOld(target));
            old += isOld ? 1 : 0;
            fresh += isNew ? 1 : 0;
        }

        output.WriteLine($"{old} old, {fresh} new of {Trials}; a full restore took {full.TotalMilliseconds:F0} ms");
    }

    private string NewTarget(string name)
    {
        string target = Path.Join(_source.Root, name);
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Join(target, "storage.dat"), "old storage");
        File.WriteAllText(Path.Join(target, "old-marker"), "old");
        return target;
    }

    private static bool IsOld(string target)
        => File.Exists(Path.Join(target, "old-marker")) && File.ReadAllText(Path.Join(target, "storage.dat")) == "old storage";

    private static bool KillAfter(TimeSpan delay, params string[] arguments)
    {
        // Through CliProcess, like every other run of the tool: its environment turns off the JIT
        // runtime's debugger FIFOs, which a killed process leaves in TMPDIR (the bare-machine stage
        // found seven of them from this test when it started the host by hand).
        using Process process = ExternalCommand.Start(CliProcess.StartInfo(CliProcess.FileName, [.. CliProcess.LeadingArguments, .. arguments]));
        bool finished = process.WaitForExit(delay);
        if (!finished)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        return finished;
    }
}
