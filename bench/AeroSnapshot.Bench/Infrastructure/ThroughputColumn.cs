using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Mathematics;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AeroSnapshot.Bench.Infrastructure;

/// <summary>
/// MB/s (10^6 bytes per second) of one invocation: the bytes a case moves, from its parameters,
/// divided by BenchmarkDotNet's mean time per invocation. The benchmarks here do not use
/// OperationsPerInvoke, so the mean is per invocation and no division by it is needed.
/// </summary>
internal sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Throughput: bytes moved per invocation (from the parameters) / median time, in 10^6 bytes per second";

    public static long BytesPerInvocation(BenchmarkCase benchmarkCase)
    {
        long bytes = 0;
        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            bytes += parameter.Name switch
            {
                "StorageMiB" => Convert.ToInt64(parameter.Value, System.Globalization.CultureInfo.InvariantCulture) << 20,
                "BufferKiB" => Convert.ToInt64(parameter.Value, System.Globalization.CultureInfo.InvariantCulture) << 10,
                _ => 0,
            };
        }

        object? files = benchmarkCase.Parameters.Items.FirstOrDefault(static p => p.Name == "SchemaFiles")?.Value;
        object? fileBytes = benchmarkCase.Parameters.Items.FirstOrDefault(static p => p.Name == "SchemaFileBytes")?.Value;
        if (files is not null && fileBytes is not null)
        {
            bytes += Convert.ToInt64(files, System.Globalization.CultureInfo.InvariantCulture) * Convert.ToInt64(fileBytes, System.Globalization.CultureInfo.InvariantCulture);
        }

        return bytes;
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        Statistics? statistics = summary[benchmarkCase]?.ResultStatistics;
        long bytes = BytesPerInvocation(benchmarkCase);
        if (statistics is null || bytes == 0 || statistics.Median <= 0)
        {
            return "-";
        }

        // Median, like the targets: robust to the shared disk's outliers.
        double seconds = statistics.Median / 1e9;
        return (bytes / seconds / 1e6).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
