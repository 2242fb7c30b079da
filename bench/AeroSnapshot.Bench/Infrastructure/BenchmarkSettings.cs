namespace AeroSnapshot.Bench.Infrastructure;

/// <summary>
/// Settings that come from the environment, because BenchmarkDotNet runs each benchmark in a
/// child process that inherits the environment but not our command line.
/// </summary>
internal static class BenchmarkSettings
{
    /// <summary>AEROSNAP_BENCH_SHORT=1 (set by --quick): every benchmark once, on tiny inputs (CI keeps the suite from rotting).</summary>
    public static bool Short => Environment.GetEnvironmentVariable("AEROSNAP_BENCH_SHORT") == "1";

    /// <summary>AEROSNAP_BENCH_ITERATIONS: measured iterations per case (default 5).</summary>
    public static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("AEROSNAP_BENCH_ITERATIONS"), out int n) && n > 0 ? n : 5;

    /// <summary>The variable <c>--regress</c> sets: the I/O job runs in process (the gate launches one process per run).</summary>
    public const string RegressVariable = "AEROSNAP_BENCH_REGRESS";

    /// <summary>Set by <c>--regress</c>: a launch of the regression gate.</summary>
    public static bool Regress => Environment.GetEnvironmentVariable(RegressVariable) == "1";

    /// <summary>AEROSNAP_REGRESS_ITERATIONS: measured iterations per launch of the gate's CPU-bound set (default 8).</summary>
    public static int RegressIterations => int.TryParse(Environment.GetEnvironmentVariable("AEROSNAP_REGRESS_ITERATIONS"), out int n) && n > 0 ? n : 8;

    /// <summary>AEROSNAP_BENCH_4GIB=1 adds the 4 GiB storage case.</summary>
    public static bool Include4GiB => Environment.GetEnvironmentVariable("AEROSNAP_BENCH_4GIB") == "1";

    /// <summary>AEROSNAP_BENCH_PAUSE_GIB: the storage sizes of the pause-by-size suite, comma-separated GiB (default 1,4,16).</summary>
    public static IReadOnlyList<int> PauseSizesGiB => (Environment.GetEnvironmentVariable("AEROSNAP_BENCH_PAUSE_GIB") ?? "1,4,16")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(static size => int.Parse(size, System.Globalization.CultureInfo.InvariantCulture))
        .ToArray();

    /// <summary>AEROSNAP_BENCH_DIR: where benchmark data lives (default: bench-data under the working directory).</summary>
    public static string DataRoot => Environment.GetEnvironmentVariable("AEROSNAP_BENCH_DIR") is { Length: > 0 } dir
        ? dir
        : Path.Join(Path.GetTempPath(), "aerosnap-bench");
}
