using AeroSnapshot.TestSupport.Strace;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// The owner of <c>snapshots/</c> (the database's own account) races root's maintenance commands:
/// while a command is held at a system call on an entry it is about to change or delete (strace's
/// <c>delay_exit</c>/<c>delay_enter</c>, so the window is seconds wide and hit every time), the test
/// renames that entry away and puts a symbolic link to a root-owned 0755 directory outside the data
/// directory in its place, or another directory. Nothing outside may change: no chmod through the
/// link (before the fix, <c>clean</c> and <c>prune</c> made the outside directory 0700), and prune
/// never deletes a directory other than the one it verified.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed class LinkSwapRaceTests : IDisposable
{
    private const string Delay = "2000000"; // µs: wide enough for the swap whatever the machine's load
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly UnixFileMode OutsideMode = (UnixFileMode)Convert.ToInt32("755", 8);

    private readonly ITestOutputHelper _output;
    private readonly DataDirectory _dir = new(storageBytes: 64 << 10);
    private readonly string _outside;

    public LinkSwapRaceTests(ITestOutputHelper output)
    {
        _output = output;
        _outside = Path.Join(_dir.Root, "outside");
        Directory.CreateDirectory(_outside);
        File.SetUnixFileMode(_outside, OutsideMode);
        File.WriteAllText(Path.Join(_outside, "keep.txt"), "root's");
    }

    public void Dispose() => _dir.Dispose();

    [NeedsProgramsFact("strace")]
    public void Clean_never_changes_a_directory_linked_in_place_of_a_staging_leftover_while_it_runs()
    {
        const string name = ".staging-20260101T000000Z";
        string staging = Path.Join(_dir.SnapshotsPath, name);
        Directory.CreateDirectory(Path.Join(staging, "schemas", "deep"));
        File.WriteAllText(Path.Join(staging, "schemas", "deep", "a.json"), "{}");

        // The first call on the leftover's name returns, then the command is held while it is swapped.
        StraceRun run = RunSwapping(
            new StraceRequest("statx,newfstatat,openat", $"delay_exit={Delay}:when=1") { Paths = [staging, name] },
            name,
            () => SwapForLink(staging),
            "clean", _dir.Data, "--json");

        AssertOutsideUntouched(run);
    }

    [NeedsProgramsFact("strace")]
    public void Prune_never_changes_a_directory_linked_in_place_of_the_snapshot_it_renamed_aside()
    {
        (string oldest, _) = TwoSnapshots();
        string asideName = ".deleting-" + oldest;
        string aside = Path.Join(_dir.SnapshotsPath, asideName);

        // Held once the snapshot is renamed aside (the first call on the aside name after the rename).
        StraceRun run = RunSwapping(
            new StraceRequest("statx,newfstatat,openat", $"delay_exit={Delay}:when=1") { Paths = [aside, asideName] },
            asideName,
            () => SwapForLink(aside),
            "prune", _dir.Data, "--keep", "1", "--json");

        AssertOutsideUntouched(run);
    }

    [NeedsProgramsFact("strace")]
    public void Prune_never_deletes_a_directory_swapped_in_under_a_snapshot_name_after_it_was_verified()
    {
        (string oldest, string newest) = TwoSnapshots();
        string snapshot = _dir.SnapshotPath(oldest);
        string evidence = Path.Join(_dir.SnapshotsPath, ".verified-" + oldest);

        // Held on entry to the rename aside: verified, not yet renamed. Another directory takes the name.
        StraceRun run = RunSwapping(
            new StraceRequest("renameat2,rename", $"delay_enter={Delay}:when=1") { Paths = [snapshot, oldest] },
            oldest,
            () =>
            {
                Directory.Move(snapshot, evidence);
                Directory.CreateDirectory(snapshot);
                File.WriteAllText(Path.Join(snapshot, "not-a-snapshot.txt"), "someone else's");
            },
            "prune", _dir.Data, "--keep", "1", "--json");

        Assert.True(File.Exists(Path.Join(snapshot, "not-a-snapshot.txt")), $"prune deleted a directory it had not verified\n{Describe(run)}");
        Assert.True(Directory.Exists(_dir.SnapshotPath(newest)), Describe(run));
        Assert.Equal(3, run.Result.ExitCode);
        Assert.Contains(oldest, run.Result.Stderr, StringComparison.Ordinal);
    }

    private (string Oldest, string Newest) TwoSnapshots()
    {
        string first = _dir.CreateSnapshot();
        string oldest = _dir.CloneSnapshot(first, "20200101T000000Z");
        return (oldest, first);
    }

    private StraceRun RunSwapping(StraceRequest request, string lineMarker, Action swap, params string[] arguments)
    {
        using RunningStrace running = RunningStrace.Start(request, CliProcess.StartInfo(CliProcess.FileName, [.. CliProcess.LeadingArguments, .. arguments]));
        Assert.True(running.WaitForLine(lineMarker, Timeout), $"the command never reached a call on '{lineMarker}'\n{running.Log}");
        swap();
        StraceRun run = running.Finish(Timeout);
        _output.WriteLine(Describe(run));
        Assert.True(run.Trace.Contains("DELAYED", StringComparison.Ordinal), $"nothing was delayed: the race was not staged\n{Describe(run)}");
        return run;
    }

    /// <summary>What the owner of <c>snapshots/</c> can do: move the entry away and plant a link in its place.</summary>
    private void SwapForLink(string path)
    {
        Directory.Move(path, Path.Join(Path.GetDirectoryName(path)!, ".moved-away"));
        File.CreateSymbolicLink(path, _outside);
    }

    private void AssertOutsideUntouched(StraceRun run)
    {
        Assert.True(OutsideMode == File.GetUnixFileMode(_outside), $"the directory outside became {Convert.ToString((int)File.GetUnixFileMode(_outside), 8)}: a mode was changed through the link\n{Describe(run)}");
        Assert.True(File.Exists(Path.Join(_outside, "keep.txt")), $"a file outside was deleted through the link\n{Describe(run)}");
    }

    private static string Describe(StraceRun run)
        => $"exit {run.Result.ExitCode}\nstdout: {run.Result.Stdout}\nstderr: {run.Result.Stderr}\nstrace:\n{run.Trace}";
}
