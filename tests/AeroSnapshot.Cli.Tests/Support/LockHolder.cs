using System.Diagnostics;

namespace AeroSnapshot.Cli.Tests.Support;

/// <summary>
/// Another process holding the data directory's LOCK, as a running database would: util-linux
/// <c>flock FILE sh -c 'echo locked; exec sleep 30'</c>. The constructor returns once the lock
/// is held; disposing kills the holder (which drops the lock).
/// </summary>
public sealed class LockHolder : IDisposable
{
    private readonly Process _process;

    public LockHolder(string lockFile)
    {
        var start = new ProcessStartInfo("flock")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { lockFile, "sh", "-c", "echo locked; exec sleep 30" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = ExternalCommand.Start(start);
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(20)) || line.Result != "locked")
        {
            Dispose();
            throw new InvalidOperationException("flock did not report holding the lock");
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
