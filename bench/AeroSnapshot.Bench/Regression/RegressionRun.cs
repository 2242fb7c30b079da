using System.Reflection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using AeroSnapshot.Bench.Infrastructure;

namespace AeroSnapshot.Bench.Regression;

/// <summary>
/// <c>--regress [--io] [BenchmarkSwitcher arguments]</c>: one launch of the regression gate's
/// benchmarks, exported as BenchmarkDotNet's full JSON (every iteration) for AeroSnapshot.Regress.
/// The gate starts this process many times, alternating base and head builds, so one process is
/// one BenchmarkDotNet launch: in process (no per-run project build, which on two cores costs more
/// than the measurement), a few warm-ups so tiering has settled, then a short run of iterations.
/// </summary>
internal static class RegressionRun
{
    public const string Flag = "--regress";

    public static int Run(string[] args)
    {
        bool io = args.Contains("--io", StringComparer.Ordinal);
        string[] rest = [.. args.Where(a => a != "--io")];
        if (!rest.Contains("--filter", StringComparer.Ordinal))
        {
            rest = [.. rest, "--filter", io ? "*RegressionIo*" : "*RegressionCpu*"];
        }

        // Read by IoBenchmarkConfig: its Monitoring job runs in process too.
        Environment.SetEnvironmentVariable(BenchmarkSettings.RegressVariable, "1");
        IConfig config = DefaultConfig.Instance.AddExporter(JsonExporter.Full);
        if (!io)
        {
            // Thread CPU time unless AEROSNAP_REGRESS_CLOCK=wall: see ThreadCpuClock. 25 ms of CPU
            // per iteration is plenty for a nanosecond clock and keeps a launch short when the
            // thread only gets a share of a core.
            bool wall = Environment.GetEnvironmentVariable("AEROSNAP_REGRESS_CLOCK") == "wall";
            Job job = Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(BenchmarkSettings.RegressIterations)
                .WithIterationTime(TimeInterval.FromMilliseconds(wall ? 100 : 25))
                .WithId("Regress");
            config = config.AddJob(wall ? job : job.WithClock(ThreadCpuClock.Instance));
        }

        Summary[] summaries = [.. BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(rest, config)];
        BenchmarkReport[] reports = [.. summaries.SelectMany(s => s.Reports)];
        if (reports.Length == 0 || summaries.Any(s => s.HasCriticalValidationErrors) || reports.Any(r => !r.Success))
        {
            Console.Error.WriteLine("regress: a benchmark failed or none ran");
            return 1;
        }

        if (!io)
        {
            AllocationProbe.Write(reports.Select(r => r.BenchmarkCase), summaries[0].ResultsDirectoryPath);
        }

        return 0;
    }
}
