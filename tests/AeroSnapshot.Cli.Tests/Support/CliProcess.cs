using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace AeroSnapshot.Cli.Tests.Support;

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

    /// <summary>The tool's run as <see cref="ExternalCommand.Capture"/> saw it.</summary>
    public static CliResult From(ProcessOutput output) => new(output.ExitCode, output.Stdout, output.Stderr, output.Elapsed);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the tool as a real process: the JIT build as <c>dotnet aerosnap.dll …</c>, or, when
/// <c>AEROSNAP_CLI_PATH</c> names an executable (the Native AOT <c>aerosnap</c> that .ci/run
/// publishes), that executable directly.
/// </summary>
public static class CliProcess
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The native executable from <c>AEROSNAP_CLI_PATH</c>, or null to run the JIT build.</summary>
    public static string? NativeExecutable { get; } = FindNativeExecutable();

    /// <summary>The tool's main assembly, as reported by its project at build time (used when no native executable is given).</summary>
    public static string CliDll => s_cliDll.Value;

    /// <summary>The dotnet host running these tests (so the tool runs on the same runtime).</summary>
    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The program to start for the tool: the native executable, or the dotnet host.</summary>
    public static string FileName => NativeExecutable ?? DotnetHost;

    /// <summary>The arguments that come before the tool's own: none for the native executable, the dll for the host.</summary>
    public static IReadOnlyList<string> LeadingArguments => NativeExecutable is null ? [CliDll] : [];

    /// <summary>
    /// The environment every run of the tool gets. The JIT build's runtime opens a diagnostics socket
    /// and debugger FIFOs in /tmp unless DOTNET_EnableDiagnostics=0 (no runtimeconfig.json setting
    /// exists for it), and a killed run never removes them; the native build has neither.
    /// </summary>
    public static void AddEnvironment(IDictionary<string, string?> environment)
    {
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (NativeExecutable is null)
        {
            environment["DOTNET_EnableDiagnostics"] = "0";
        }
    }

    private static readonly Lazy<string> s_cliDll = new(FindCliDll);

    public static CliResult Run(params string[] arguments) => Run(DefaultTimeout, arguments);

    public static CliResult Run(TimeSpan timeout, params string[] arguments) => Run(timeout, new Dictionary<string, string>(), arguments);

    public static CliResult Run(IReadOnlyDictionary<string, string> environment, params string[] arguments) => Run(DefaultTimeout, environment, arguments);

    public static CliResult Run(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        ProcessStartInfo start = StartInfo(FileName, LeadingArguments.Concat(arguments));
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        return CliResult.From(ExternalCommand.Capture(start, timeout));
    }

    /// <summary>
    /// How to start <paramref name="fileName"/> (the tool, or a program that runs it: strace, env)
    /// with the tool's environment (<see cref="AddEnvironment"/>), which its children inherit.
    /// </summary>
    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments)
    {
        ProcessStartInfo start = ExternalCommand.StartInfo(fileName, arguments);
        AddEnvironment(start.Environment);
        return start;
    }

    private static string? FindNativeExecutable()
    {
        string? path = Environment.GetEnvironmentVariable("AEROSNAP_CLI_PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        // A typo must not silently fall back to the JIT build and pass.
        return File.Exists(path)
            ? Path.GetFullPath(path)
            : throw new InvalidOperationException($"AEROSNAP_CLI_PATH='{path}' does not exist (publish it with: dotnet publish src/AeroSnapshot.Cli -c Release -r linux-x64).");
    }

    private static string FindCliDll()
    {
        string? path = typeof(CliProcess).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(static a => a.Key == "AeroSnapshotCliPath")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"The built aerosnap.dll was not found (recorded path: '{path}'). Build the solution first.");
        }

        return path;
    }
}
