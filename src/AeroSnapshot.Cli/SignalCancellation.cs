using System.Runtime.InteropServices;

namespace AeroSnapshot.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM cancel the running operation between buffers, so the library removes
/// its partial snapshot or restore before the process exits; the exit code then says which signal
/// it was, as shells report a process killed by it (128 + signal number: 130, 143). A second
/// Ctrl+C ends the process at once.
/// </summary>
internal sealed class SignalCancellation : IDisposable
{
    private static int s_exitCode = ExitCodes.Failed;

    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration _sigterm;

    public SignalCancellation()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Cancel(ExitCodes.Terminated);
        });
    }

    /// <summary>The exit code of a command whose operation a signal cancelled (3 if none did).</summary>
    public static int ExitCode => Volatile.Read(ref s_exitCode);

    public CancellationToken Token => _cancellation.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm.Dispose();
        _cancellation.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (!_cancellation.IsCancellationRequested)
        {
            e.Cancel = true;
            Cancel(ExitCodes.Interrupted);
        }
    }

    private void Cancel(int exitCode)
    {
        // The first signal decides the exit code; the token is what the library watches.
        Interlocked.CompareExchange(ref s_exitCode, exitCode, ExitCodes.Failed);
        _cancellation.Cancel();
    }
}
