using System.Globalization;
using Xunit.Abstractions;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// <c>aerosnap checkpoint</c> under strace, on the checkpoint's own files (the data directory,
/// <c>.checkpoint-intent</c>, <c>checkpoint.json</c>, their <c>.tmp</c> files, <c>wal/</c> and
/// <c>wal/wal.log</c>; the snapshot it takes first is create's, swept by <see cref="SyscallFaultTests"/>).
/// Two sweeps over every call a fault-free checkpoint makes there, counted first: SIGKILL delivered
/// on entry to the N-th call (a kill exactly between two steps, which timed kills rarely hit), and
/// the N-th call failed with an errno. Either way only the states of <see cref="CheckpointStates"/>
/// are allowed, and <c>aerosnap clean</c> must settle them; a failed call must give exit 3 and the
/// AeroDB error carrying the errno and naming a path.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed class StraceCheckpointTests : IDisposable
{
    private static readonly string[] Syscalls = ["openat", "pwrite64", "fsync", "rename", "unlink", "ftruncate"];

    private readonly ITestOutputHelper _output;
    private readonly DataDirectory _dir = new(storageBytes: (256 << 10) + 3);
    private readonly CheckpointStates _states;

    public StraceCheckpointTests(ITestOutputHelper output)
    {
        _output = output;
        _states = new CheckpointStates(_dir, BackupCommandTests.FramedWal(300));
    }

    public static TheoryData<string, string> Faults => new()
    {
        { "openat", "EIO" },
        { "pwrite64", "EIO" },
        { "pwrite64", "ENOSPC" },
        { "fsync", "EIO" },
        { "rename", "EIO" },
        { "unlink", "EIO" },
        { "ftruncate", "EIO" },
    };

    public void Dispose() => _dir.Dispose();

    [NeedsProgramsFact("strace")]
    public void A_checkpoint_killed_on_entry_to_any_call_on_its_own_files_leaves_an_allowed_state_that_clean_settles()
    {
        ExpectedContent expected = Prepare();
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int cases = 0;
        foreach (string syscall in Syscalls)
        {
            int calls = Count(syscall, seccomp: false);
            Assert.True(calls > 0, $"a checkpoint makes no {syscall} call on its own files: the sweep would prove nothing");
            for (int n = 1; n <= calls; n++)
            {
                cases++;
                _states.Reset();
                string context = $"SIGKILL on {syscall} #{n} of {calls}";
                StraceOutcome run = StraceCommand.Run(syscall, $"signal=KILL:when={n}", _states.OwnPaths, seccomp: false, "checkpoint", _dir.Data, "--json");
                Assert.True(run.Trace.Contains("killed by SIGKILL", StringComparison.Ordinal), $"{context}: the kill was not delivered\n{run.Result}\n{run.Trace}");
                string before = _states.BeforeClean(expected, context);
                CliResult clean = CliProcess.Run("clean", _dir.Data, "--json");
                Assert.True(clean.ExitCode == 0, $"{context}: clean failed: {clean}");
                string after = _states.AfterClean(expected, context);
                string outcome = $"{before} -> after clean: {after}";
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                _output.WriteLine($"{context}: {outcome}");
            }
        }

        _output.WriteLine($"{cases} kills:");
        foreach ((string outcome, int count) in outcomes)
        {
            _output.WriteLine($"  {count,4}  {outcome}");
        }
    }

    [NeedsProgramsTheory("strace")]
    [MemberData(nameof(Faults))]
    public void A_checkpoint_whose_call_on_its_own_files_fails_exits_3_with_the_errno_and_loses_nothing(string syscall, string errno)
    {
        ExpectedContent expected = Prepare();
        int calls = Count(syscall, seccomp: true);
        Assert.True(calls > 0, $"a checkpoint makes no {syscall} call on its own files");
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int n = 1; n <= calls; n++)
        {
            _states.Reset();
            string context = $"{syscall} {errno} on call #{n} of {calls}";
            StraceOutcome run = StraceCommand.Run(syscall, $"error={errno}:when={n}", _states.OwnPaths, "checkpoint", _dir.Data, "--json");
            Assert.True(run.Injected == 1, $"{context}: strace failed {run.Injected} calls\n{run.Trace}");
            string exit;
            if (run.Result.ExitCode == 0)
            {
                // Success is allowed only if the checkpoint really finished: marker and an empty WAL.
                string state = _states.BeforeClean(expected, context);
                Assert.True(state.StartsWith("marker durable, WAL empty", StringComparison.Ordinal) && !state.Contains("intent", StringComparison.Ordinal), $"{context}: exit 0 but {state}\n{run.Result}");
                exit = "exit 0 (failure tolerated)";
            }
            else
            {
                (string? code, int? reported, string? step, string? path, string? message) = CliJson.Error(run.Result);
                Assert.True(run.Result.ExitCode == 3, $"{context}: exit {run.Result.ExitCode}, expected 3\n{run.Result}");
                Assert.True(reported == StraceCreate.ErrnoValue(errno), $"{context}: errno {reported}, expected {errno}\n{run.Result}");
                Assert.False(string.IsNullOrWhiteSpace(path) || string.IsNullOrWhiteSpace(message), $"{context}: the error names no path or says nothing\n{run.Result}");
                Assert.True(message!.Contains(path!, StringComparison.Ordinal) || message.Contains(Path.GetFileName(path!), StringComparison.Ordinal), $"{context}: the message does not name the path {path}\n{run.Result}");
                exit = $"exit 3 {code} errno {reported} at {step} ({Path.GetFileName(path)})";
            }

            string before = _states.BeforeClean(expected, context);
            CliResult clean = CliProcess.Run("clean", _dir.Data, "--json");
            Assert.True(clean.ExitCode == 0, $"{context}: clean failed: {clean}");
            string after = _states.AfterClean(expected, context);
            string outcome = $"{exit}: {before} -> after clean: {after}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            _output.WriteLine($"{context}: {outcome}");
        }

        _output.WriteLine($"{syscall} {errno}: {calls} cases");
        foreach ((string outcome, int count) in outcomes)
        {
            _output.WriteLine($"  {count,4}  {outcome}");
        }
    }

    private ExpectedContent Prepare()
    {
        _states.Reset();
        return ExpectedContent.Read(_dir.StoragePath, _dir.SchemasPath);
    }

    /// <summary>Calls of <paramref name="syscall"/> a fault-free checkpoint makes on its own files.</summary>
    private int Count(string syscall, bool seccomp)
    {
        _states.Reset();
        StraceOutcome counting = StraceCommand.Run(syscall, null, _states.OwnPaths, seccomp, "checkpoint", _dir.Data, "--json");
        Assert.True(counting.Result.ExitCode == 0, counting.Result.ToString());
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{syscall}: {counting.Calls} call(s) on the checkpoint's own files"));
        return counting.Calls;
    }
}
