using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

/// <summary>What one run of the tool did.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Parses stdout as exactly one JSON document (JsonDocument refuses trailing content).</summary>
    public JsonDocument Json()
    {
        try
        {
            return JsonDocument.Parse(Stdout);
        }
        catch (JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not one JSON document ({ex.Message}):\n{Stdout}\nstderr:\n{Stderr}");
        }
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs the built <c>AeroSnapshot.Cli.dll</c> as a real process: <c>dotnet AeroSnapshot.Cli.dll …</c>.</summary>
public static class CliProcess
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The tool's main assembly, as reported by its project at build time.</summary>
    public static string CliDll { get; } = FindCliDll();

    /// <summary>The dotnet host running these tests (so the tool runs on the same runtime).</summary>
    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static CliResult Run(params string[] arguments) => Run(DefaultTimeout, arguments);

    public static CliResult Run(TimeSpan timeout, params string[] arguments) => Run(timeout, new Dictionary<string, string>(), arguments);

    public static CliResult Run(IReadOnlyDictionary<string, string> environment, params string[] arguments) => Run(DefaultTimeout, environment, arguments);

    public static CliResult Run(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliDll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"aerosnap {string.Join(' ', arguments)} did not finish within {timeout}.\nstdout:\n{stdout.Result}\nstderr:\n{stderr.Result}");
        }

        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result, stopwatch.Elapsed);
    }

    private static string FindCliDll()
    {
        string? path = typeof(CliProcess).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(static a => a.Key == "AeroSnapshotCliPath")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"The built AeroSnapshot.Cli.dll was not found (recorded path: '{path}'). Build the solution first.");
        }

        return path;
    }
}
