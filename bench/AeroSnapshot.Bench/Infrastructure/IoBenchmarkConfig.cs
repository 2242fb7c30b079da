using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

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
            Job job = Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(BenchmarkSettings.Iterations)
                .WithId("Monitoring");
            // The regression gate starts one process per launch itself (bench/scripts/regress.sh).
            AddJob(BenchmarkSettings.Regress ? job.WithToolchain(InProcessEmitToolchain.Instance) : job);
            AddExporter(MarkdownExporter.GitHub);
            AddExporter(JsonExporter.Full);
        }
    }
}
