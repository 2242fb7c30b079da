using System.Diagnostics;

namespace AeroSnapshot.TestSupport;

/// <summary>Runs a system tool (mount, mkfs, strace…) and fails the test with its output when it fails.</summary>
public static class ExternalCommand
{
    public static string Run(string fileName, params string[] arguments)
    {
        (int exitCode, string output) = TryRun(fileName, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {exitCode}: {output}");
        }

        return output;
    }

    public static (int ExitCode, string Output) TryRun(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish in 2 minutes.");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
