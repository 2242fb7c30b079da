using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;

namespace AeroSnapshot.Bench.Infrastructure;

/// <summary>
/// The configuration of the I/O benchmarks: Monitoring (every invocation is a real snapshot with
/// its own set-up; no pilot stage, no unrolling), a few iterations, the MB/s column, and results
/// exported as GitHub markdown and JSON. In the quick mode only the column is added; the job comes
/// from Program's quick configuration.
/// </summary>
internal sealed class IoBenchmarkConfig : ManualConfig
{
    public IoBenchmarkConfig()
    {
        AddColumn(new ThroughputColumn());
        if (!BenchmarkSettings.Short)
        {
            AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(BenchmarkSettings.Iterations)
                .WithId("Monitoring"));
            AddExporter(MarkdownExporter.GitHub);
            AddExporter(JsonExporter.Full);
        }
    }
}
