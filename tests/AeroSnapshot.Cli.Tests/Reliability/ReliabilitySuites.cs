namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// The reliability suites run one at a time and after the other tests, never beside them: the kill
/// suite places its kills by measured timings, the concurrency suite counts lock contention, and
/// all of them start hundreds of processes on a two-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilitySuites
{
    public const string Name = "Reliability (process-level faults)";
}

/// <summary>Test knobs read from the environment, so a failing run can be repeated exactly or made longer.</summary>
internal static class Knobs
{
    public static int Int(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : fallback;
}
