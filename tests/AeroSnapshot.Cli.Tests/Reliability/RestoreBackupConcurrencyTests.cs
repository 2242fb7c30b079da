using System.Diagnostics;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Issue 25 item 5: two restore-backups on one data directory that has no <c>LOCK</c> file (a
/// finished restore-backup leaves none). The run that holds <c>&lt;dir&gt;.restore-backup-tmp</c>
/// keeps it; a second run, and <c>clean</c>, are refused at once (exit 3, naming it) and never delete
/// it. Made deterministic two ways: util-linux <c>flock</c> holding the temporary directory, and a
/// real first run slowed down by strace's <c>delay_enter</c> on the fsync of that directory.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed class RestoreBackupConcurrencyTests(ITestOutputHelper output) : IDisposable
{
    private const int EWOULDBLOCK = 11;
    private readonly DataDirectory _source = new(storageBytes: 256 * 1024 + 7);

    private string Archive => Path.Join(_source.Root, "backup.tar");

    private string Target => Path.Join(_source.Root, "target");

    private string Temporary => Target + ".restore-backup-tmp";

    public void Dispose() => _source.Dispose();

    [NeedsProgramsFact("flock")]
    public void A_temporary_directory_another_process_holds_is_never_deleted_and_both_commands_say_who_holds_it()
    {
        MakeArchiveAndTarget();
        Directory.CreateDirectory(Path.Join(Temporary, "data"));
        File.WriteAllText(Path.Join(Temporary, "data", "storage.dat"), "work in progress");

        using (var holder = new LockHolder(Temporary))
        {
            CliResult restore = CliProcess.Run("restore-backup", Archive, Target, "--json");
            CliResult clean = CliProcess.Run("clean", Target, "--json");

            foreach (CliResult refused in new[] { restore, clean })
            {
                Assert.True(refused.ExitCode == 3, refused.ToString());
                (string? code, int? errno, _, string? path, string? message) = CliJson.Error(refused);
                Assert.Equal("AERO_SNAPSHOT_FAILED", code);
                Assert.Equal(EWOULDBLOCK, errno);
                Assert.Equal(Temporary, path);
                Assert.Contains("Another restore from a backup", message, StringComparison.Ordinal);
            }

            Assert.Equal("work in progress", File.ReadAllText(Path.Join(Temporary, "data", "storage.dat")));
            Assert.Equal("old", File.ReadAllText(Path.Join(Target, "storage.dat")));
        }

        // Its holder gone, it is a leftover: the next run undoes it and restores.
        CliResult after = CliProcess.Run("restore-backup", Archive, Target);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.False(Directory.Exists(Temporary));
        Assert.Equal(File.ReadAllBytes(_source.StoragePath), File.ReadAllBytes(Path.Join(Target, "storage.dat")));
    }

    [PrivilegedFact(Needs = ["strace"])]
    public void A_second_restore_backup_started_while_the_first_runs_is_refused_at_once_and_the_first_finishes()
    {
        MakeArchiveAndTarget();

        // The first run sleeps 3 s in each fsync of its temporary directory (after the unpack, and
        // after the swap): the second one certainly starts while the first holds the directory.
        var start = CliProcess.StartInfo("strace", [
            "-f", "--seccomp-bpf", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:delay_enter=3000000", "-P", Temporary,
            "--", CliProcess.FileName, .. CliProcess.LeadingArguments, "restore-backup", Archive, Target]);
        var clock = Stopwatch.StartNew();
        using Process first = ExternalCommand.Start(start);
        first.StandardInput.Close();
        Task<string> firstOut = first.StandardOutput.ReadToEndAsync();
        Task<string> firstErr = first.StandardError.ReadToEndAsync();
        while (!File.Exists(Path.Join(Temporary, "data", "wal", "wal.log")) && !first.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(20);
        }

        if (first.HasExited)
        {
            // (The message reads the output only then: reading it waits for the process to end.)
            Assert.Fail($"the first run ended before the second could start: {firstOut.Result}{firstErr.Result}");
        }

        TimeSpan secondStarted = clock.Elapsed;
        CliResult second = CliProcess.Run("restore-backup", Archive, Target, "--json");
        bool firstStillRunning = !first.HasExited;
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(120)), "the first run did not finish");
        TimeSpan firstEnded = clock.Elapsed;

        Assert.True(second.ExitCode == 3, $"{second}\nfirst run: exit {first.ExitCode}\n{firstOut.Result}\n{firstErr.Result}");
        (_, int? errno, _, string? path, _) = CliJson.Error(second);
        Assert.Equal(EWOULDBLOCK, errno);
        Assert.Equal(Temporary, path);
        Assert.True(firstStillRunning, "the second run was not refused while the first ran");
        Assert.True(first.ExitCode == 0, $"first run: exit {first.ExitCode}\n{firstOut.Result}\n{firstErr.Result}");
        Assert.Equal(File.ReadAllBytes(_source.StoragePath), File.ReadAllBytes(Path.Join(Target, "storage.dat")));
        Assert.False(Directory.Exists(Temporary));
        output.WriteLine($"second run started {secondStarted.TotalMilliseconds:F0} ms in, refused after {second.Elapsed.TotalMilliseconds:F0} ms (exit 3, EWOULDBLOCK, {path}); the first finished at {firstEnded.TotalMilliseconds:F0} ms with exit 0");
    }

    private void MakeArchiveAndTarget()
    {
        File.WriteAllBytes(Path.Join(_source.Data, "wal", "wal.log"), BackupCommandTests.FramedWal(5));
        _source.CreateSnapshot();
        CliResult backup = CliProcess.Run("backup", _source.Data, "--output", Archive);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Join(Target, "storage.dat"), "old");
    }
}
