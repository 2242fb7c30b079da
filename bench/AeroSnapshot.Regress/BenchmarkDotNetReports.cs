using System.Text.Json;
using Perfolizer.Mathematics.QuantileEstimators;
using Pragmastat;

namespace AeroSnapshot.Regress;

/// <summary>
/// Reads BenchmarkDotNet's full JSON reports (<c>*-report-full.json</c>, from <c>JsonExporter.Full</c>)
/// and reduces each report (one launch) to the Harrell-Davis median of each case's measured
/// iterations: several launches of one build become one sample of launch medians.
/// </summary>
public static class BenchmarkDotNetReports
{
    /// <summary>The file the benchmark project's <c>--regress</c> mode writes with its per-thread allocation counts.</summary>
    public const string AllocationsFileName = "regress-allocations.json";

    /// <summary>Every case in the <c>*-report-full.json</c> files under the given directories, by full name.</summary>
    /// <exception cref="InvalidDataException">A report is not the JSON BenchmarkDotNet writes; the message names the file.</exception>
    public static IReadOnlyDictionary<string, BenchmarkSamples> Load(IEnumerable<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var values = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var allocated = new Dictionary<string, long?>(StringComparer.Ordinal);
        var iterations = new Dictionary<string, int>(StringComparer.Ordinal);
        var probed = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"{directory}: no such directory of BenchmarkDotNet results");
            }

            foreach (string file in Directory.EnumerateFiles(directory, "*-report-full.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                ReadReport(file, values, allocated, iterations);
            }

            foreach (string file in Directory.EnumerateFiles(directory, AllocationsFileName, SearchOption.AllDirectories))
            {
                ReadAllocations(file, probed);
            }
        }

        // The gate's own per-thread count wins over BenchmarkDotNet's in-process one, which counts
        // every thread of the process (see AllocationProbe in the benchmark project).
        foreach ((string name, long bytes) in probed)
        {
            if (allocated.ContainsKey(name))
            {
                allocated[name] = bytes;
            }
        }

        return values.ToDictionary(
            pair => pair.Key,
            pair => new BenchmarkSamples(pair.Key, pair.Value, allocated[pair.Key], iterations[pair.Key]),
            StringComparer.Ordinal);
    }

    private static void ReadAllocations(string file, Dictionary<string, long> probed)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (JsonElement benchmark in document.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                string name = benchmark.GetProperty("FullName").GetString() ?? throw new InvalidDataException("FullName is null");
                long bytes = benchmark.GetProperty("BytesAllocatedPerOperation").GetInt64();
                probed[name] = Math.Max(probed.GetValueOrDefault(name), bytes);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{file}: not an allocation probe report ({e.Message})", e);
        }
    }

    private static void ReadReport(string file, Dictionary<string, List<double>> values, Dictionary<string, long?> allocated, Dictionary<string, int> iterations)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (JsonElement benchmark in document.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                string name = benchmark.GetProperty("FullName").GetString() ?? throw new InvalidDataException("FullName is null");
                if (!values.TryGetValue(name, out List<double>? samples))
                {
                    samples = [];
                    values[name] = samples;
                    allocated[name] = null;
                    iterations[name] = 0;
                }

                var launch = new List<double>();
                if (benchmark.TryGetProperty("Measurements", out JsonElement measurements))
                {
                    foreach (JsonElement m in measurements.EnumerateArray())
                    {
                        // Actual, not Result: Result has BenchmarkDotNet's outliers removed per launch;
                        // the comparison is rank-based and wants every iteration that was measured.
                        if (m.GetProperty("IterationMode").GetString() == "Workload" && m.GetProperty("IterationStage").GetString() == "Actual")
                        {
                            launch.Add(m.GetProperty("Nanoseconds").GetDouble() / m.GetProperty("Operations").GetDouble());
                        }
                    }
                }

                if (launch.Count > 0)
                {
                    samples.Add(HarrellDavisQuantileEstimator.Instance.Quantile(new Sample(launch), Probability.Half).NominalValue);
                    iterations[name] += launch.Count;
                }

                if (benchmark.TryGetProperty("Memory", out JsonElement memory)
                    && memory.TryGetProperty("BytesAllocatedPerOperation", out JsonElement bytes)
                    && bytes.ValueKind == JsonValueKind.Number)
                {
                    long perOperation = bytes.GetInt64();
                    allocated[name] = Math.Max(allocated[name] ?? 0, perOperation);
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{file}: not a BenchmarkDotNet full JSON report ({e.Message})", e);
        }
    }
}
