using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Ctrl+C and SIGTERM during a create: the library removes its partial snapshot, then the tool
/// exits 130 or 143 (128 + the signal number, as shells report it) having said so on stderr.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed partial class SignalTests : IDisposable
{
    private const int SIGINT = 2;
    private const int SIGTERM = 15;

    // Large enough that the copy is still running when the staging directory is first seen.
    private readonly DataDirectory _dir = new(storageBytes: 256 << 20);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Ctrl_C_during_create_removes_the_partial_snapshot_and_exits_130() => AssertCancelledBy(SIGINT, 130);

    [Fact]
    public void SIGTERM_during_create_removes_the_partial_snapshot_and_exits_143() => AssertCancelledBy(SIGTERM, 143);

    /// <summary>
    /// The runtime's diagnostics endpoints (<c>dotnet-diagnostic-PID-*</c>, <c>clr-debug-pipe-PID-*</c>)
    /// are files in the temp directory that a SIGKILLed process never removes. The native build has
    /// none; the JIT build has none with DOTNET_EnableDiagnostics=0, which is how these tests run it.
    /// </summary>
    [Fact]
    public void A_killed_create_leaves_no_runtime_endpoint_in_the_temp_directory()
    {
        Directory.CreateDirectory(_dir.SnapshotsPath);
        var clock = Stopwatch.StartNew();
        using RunningCli create = RunningCli.Start(clock, "create", _dir.Data);
        int pid = create.ProcessId;
        while (!Directory.EnumerateDirectories(_dir.SnapshotsPath, ".staging-*").Any() && !create.HasExited)
        {
            Thread.Sleep(1);
        }

        string[] whileRunning = EndpointsOf(pid);
        create.Kill();
        create.Wait(TimeSpan.FromSeconds(60));

        Assert.True(whileRunning.Length == 0, $"while running: {string.Join(", ", whileRunning)}");
        Assert.Empty(EndpointsOf(pid));
    }

    private static string[] EndpointsOf(int pid)
        => [.. Directory.EnumerateFileSystemEntries(Path.GetTempPath(), $"*-{pid}-*").Select(Path.GetFileName).OfType<string>()];

    private void AssertCancelledBy(int signal, int expectedExit)
    {
        Directory.CreateDirectory(_dir.SnapshotsPath);
        var clock = Stopwatch.StartNew();
        using RunningCli create = RunningCli.StartWithDefaultSigint(clock, "create", _dir.Data);

        // Signal the moment the staging directory exists: the copy of 256 MiB has just begun.
        while (!Directory.EnumerateDirectories(_dir.SnapshotsPath, ".staging-*").Any())
        {
            Assert.False(create.HasExited, "create exited before its staging directory was seen");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no staging directory within 60 s");
            Thread.Sleep(1);
        }

        Assert.Equal(0, kill(create.ProcessId, signal));
        CliResult result = create.Wait(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == expectedExit, result.ToString());
        // A process the signal itself had killed would show the same exit status, but say nothing.
        Assert.Contains("Cancelled; nothing partial was left behind.", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.SnapshotsPath));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
