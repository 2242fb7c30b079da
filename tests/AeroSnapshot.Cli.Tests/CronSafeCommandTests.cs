using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

/// <summary>
/// What cron needs: "the data directory is in use" has an exit code of its own (11) on every
/// command that takes the LOCK, and --lock-wait waits for the LOCK before starting.
/// </summary>
public sealed partial class CronSafeCommandTests : IDisposable
{
    private const int InUse = 11;

    private readonly DataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Archive => Path.Join(_dir.Root, "backup.tar");

    /// <summary>Every command that takes the data directory's LOCK, with what it needs to get that far.</summary>
    public static TheoryData<string> LockingCommands => new() { "create", "clean", "prune", "restore", "checkpoint", "backup", "restore-backup" };

    private string[] Arguments(string command, string snapshot) => command switch
    {
        "prune" => ["prune", _dir.Data, "--keep", "1"],
        "restore" => ["restore", _dir.SnapshotPath(snapshot), _dir.Data],
        "backup" => ["backup", _dir.Data, "--output", Path.Join(_dir.Root, "another.tar")],
        "restore-backup" => ["restore-backup", Archive, _dir.Data],
        _ => [command, _dir.Data],
    };

    [NeedsProgramsTheory("flock")]
    [MemberData(nameof(LockingCommands))]
    public void A_held_LOCK_exits_11_at_once_naming_the_LOCK(string command)
    {
        string snapshot = _dir.CreateSnapshot();
        Assert.Equal(0, CliProcess.Run("backup", _dir.Data, "--output", Archive).ExitCode);
        string[] before = TreeListing.Of(_dir.Root);
        using var holder = new LockHolder(_dir.LockPath);

        CliResult result = CliProcess.Run([.. Arguments(command, snapshot), "--json"]);

        Assert.True(result.ExitCode == InUse, result.ToString());
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(20), "it waited for the lock without --lock-wait");
        using JsonDocument json = result.Json();
        Assert.Equal("aerosnap/error/1", json.RootElement.GetProperty("schema").GetString());
        Assert.Equal(command, json.RootElement.GetProperty("command").GetString());
        Assert.Equal(_dir.LockPath, json.RootElement.GetProperty("details").GetProperty("path").GetString());
        Assert.Equal(before, TreeListing.Of(_dir.Root));
    }

    [NeedsProgramsFact("flock")]
    public void Lock_wait_waits_for_the_LOCK_to_be_released_then_runs()
    {
        var holder = new LockHolder(_dir.LockPath);
        var clock = Stopwatch.StartNew();
        using RunningCli create = RunningCli.Start(clock, "create", _dir.Data, "--lock-wait", "2m", "--json");
        try
        {
            Thread.Sleep(TimeSpan.FromSeconds(2));
            Assert.False(create.HasExited, "create did not wait for the LOCK");
            Assert.Empty(_dir.SnapshotIds());
        }
        finally
        {
            holder.Dispose();
        }

        CliResult result = create.Wait(TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(_dir.SnapshotIds());
    }

    [NeedsProgramsFact("flock")]
    public void SIGTERM_ends_the_wait_for_the_LOCK_at_once_with_143()
    {
        using var holder = new LockHolder(_dir.LockPath);
        var clock = Stopwatch.StartNew();
        using RunningCli create = RunningCli.Start(clock, "create", _dir.Data, "--lock-wait", "10m");
        Thread.Sleep(TimeSpan.FromSeconds(2));
        Assert.False(create.HasExited, "create did not wait for the LOCK");

        Assert.Equal(0, kill(create.ProcessId, 15));
        CliResult result = create.Wait(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 143, result.ToString());
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(30), $"the wait went on after SIGTERM ({result.Elapsed})");
        Assert.Empty(_dir.SnapshotIds());
    }

    [NeedsProgramsFact("flock")]
    public void Lock_wait_gives_up_with_exit_11_when_the_LOCK_stays_held()
    {
        string snapshot = _dir.CreateSnapshot();
        _dir.CloneSnapshot(snapshot, "20200101T000000Z");
        using var holder = new LockHolder(_dir.LockPath);

        CliResult result = CliProcess.Run("prune", _dir.Data, "--keep", "1", "--lock-wait", "1500ms", "--json");

        Assert.True(result.ExitCode == InUse, result.ToString());
        Assert.True(result.Elapsed >= TimeSpan.FromSeconds(1.5), $"gave up after {result.Elapsed}, before --lock-wait 1500ms");
        Assert.Equal(2, _dir.SnapshotIds().Length);
    }

    [Theory]
    [InlineData("restore")]
    [InlineData("restore-backup")]
    [InlineData("checkpoint")]
    public void AeroDBs_running_marker_exits_11_too(string command)
    {
        string snapshot = _dir.CreateSnapshot();
        Assert.Equal(0, CliProcess.Run("backup", _dir.Data, "--output", Archive).ExitCode);
        File.WriteAllText(Path.Join(_dir.Data, ".lock"), string.Empty);

        CliResult result = CliProcess.Run([.. Arguments(command, snapshot), "--lock-wait", "30s"]);

        // Not waited for: the marker is not a lock, and a stale one would hold a cron job for the whole wait.
        Assert.True(result.ExitCode == InUse, result.ToString());
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(20), "it waited for AeroDB's marker");
    }

    [Fact]
    public void Lock_wait_is_offered_by_every_command_that_takes_the_LOCK_and_by_no_other()
    {
        foreach (string command in LockingCommands)
        {
            Assert.Contains("  --lock-wait <duration>", CliProcess.Run(command, "--help").Stdout, StringComparison.Ordinal);
        }

        foreach (string command in new[] { "verify", "list", "newest", "verify-backup" })
        {
            Assert.DoesNotContain("  --lock-wait <duration>", CliProcess.Run(command, "--help").Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("30")]
    [InlineData("5 m")]
    [InlineData("1y")]
    [InlineData("-5s")]
    public void A_bad_duration_is_a_usage_error_naming_the_forms(string duration)
    {
        CliResult result = CliProcess.Run("clean", _dir.Data, "--lock-wait", duration);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("30s, 5m, 1h30m", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_documents_exit_code_11()
    {
        Assert.Contains("11  the data directory is in use", CliProcess.Run("--help").Stdout, StringComparison.Ordinal);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
