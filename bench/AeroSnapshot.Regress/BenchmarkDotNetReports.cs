using System.Text.Json;

namespace AeroSnapshot.Regress;

/// <summary>
/// Reads BenchmarkDotNet's full JSON reports (<c>*-report-full.json</c>, from <c>JsonExporter.Full</c>)
/// and pools each case's measured iterations over every report found: one report per launch, so
/// several launches of one build become one sample.
/// </summary>
public static class BenchmarkDotNetReports
{
    /// <summary>Every case in the <c>*-report-full.json</c> files under the given directories, by full name.</summary>
    /// <exception cref="InvalidDataException">A report is not the JSON BenchmarkDotNet writes; the message names the file.</exception>
    public static IReadOnlyDictionary<string, BenchmarkSamples> Load(IEnumerable<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var values = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var allocated = new Dictionary<string, long?>(StringComparer.Ordinal);
        var launches = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"{directory}: no such directory of BenchmarkDotNet results");
            }

            foreach (string file in Directory.EnumerateFiles(directory, "*-report-full.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                ReadReport(file, values, allocated, launches);
            }
        }

        return values.ToDictionary(
            pair => pair.Key,
            pair => new BenchmarkSamples(pair.Key, pair.Value, allocated[pair.Key], launches[pair.Key]),
            StringComparer.Ordinal);
    }

    private static void ReadReport(string file, Dictionary<string, List<double>> values, Dictionary<string, long?> allocated, Dictionary<string, int> launches)
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
                    launches[name] = 0;
                }

                launches[name]++;
                if (benchmark.TryGetProperty("Measurements", out JsonElement measurements))
                {
                    foreach (JsonElement m in measurements.EnumerateArray())
                    {
                        // Actual, not Result: Result has BenchmarkDotNet's outliers removed per launch;
                        // the comparison is rank-based and wants every iteration that was measured.
                        if (m.GetProperty("IterationMode").GetString() == "Workload" && m.GetProperty("IterationStage").GetString() == "Actual")
                        {
                            samples.Add(m.GetProperty("Nanoseconds").GetDouble() / m.GetProperty("Operations").GetDouble());
                        }
                    }
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
