using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;

namespace AeroSnapshot.Bench.Infrastructure;

/// <summary>
/// The configuration of benchmarks that do no disk I/O (CRC over a cached buffer, opening cached
/// files): BenchmarkDotNet's default job, which runs many invocations per iteration, with the MB/s
/// column and the committed exports.
/// </summary>
internal sealed class CpuBenchmarkConfig : ManualConfig
{
    public CpuBenchmarkConfig()
    {
        AddColumn(new ThroughputColumn());
        AddExporter(MarkdownExporter.GitHub);
        AddExporter(JsonExporter.Full);
    }
}
