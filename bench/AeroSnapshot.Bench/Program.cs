using System.Reflection;
using AeroSnapshot.Bench.Infrastructure;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AeroSnapshot.Bench;

/// <summary>
/// BenchmarkDotNet entry point. Everything after the program name goes to <see cref="BenchmarkSwitcher"/>
/// (for example <c>--filter *Manifest*</c>), except <c>--quick</c>: it runs every selected benchmark
/// once, in process, with no warm-up or pilot stage — a smoke test for CI that proves each benchmark
/// runs (and reports, without failing, any allocation by the write benchmarks), not a measurement.
/// And <c>--regress</c>: one launch of the regression gate's set (bench/scripts/regress.sh runs this
/// alternately for the base and the head build), see <see cref="Regression.RegressionRun"/>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains(Regression.RegressionRun.Flag, StringComparer.Ordinal))
        {
            return Regression.RegressionRun.Run([.. args.Where(a => a != Regression.RegressionRun.Flag)]);
        }

        bool quick = args.Contains("--quick", StringComparer.Ordinal);
        if (quick)
        {
            // Tiny inputs for the I/O benchmarks too (read by their parameter sources).
            Environment.SetEnvironmentVariable("AEROSNAP_BENCH_SHORT", "1");
        }

        string[] rest = [.. args.Where(a => a != "--quick")];
        if (quick && !rest.Contains("--filter", StringComparer.Ordinal))
        {
            rest = [.. rest, "--filter", "*"];
        }

        IConfig config = (quick
            ? DefaultConfig.Instance
                // In process: no separate project build per run, which on a two-core machine costs more than the benchmarks.
                .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick"))
                .WithOptions(ConfigOptions.DisableOptimizationsValidator)
            : DefaultConfig.Instance)
            // A kernel this CPU lacks is left out with a note, not run into PlatformNotSupportedException.
            .AddFilter(new CpuPathFilter());

        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(rest, config);
        return quick ? CheckQuickRun([.. summaries]) : 0;
    }

    /// <summary>Fails the quick run when a benchmark did not run; notes any allocation by a write benchmark.</summary>
    private static int CheckQuickRun(Summary[] summaries)
    {
        BenchmarkReport[] reports = [.. summaries.SelectMany(s => s.Reports)];
        int failures = 0;
        if (reports.Length == 0 || summaries.Any(s => s.HasCriticalValidationErrors))
        {
            Console.Error.WriteLine("quick run: no benchmark ran");
            return 1;
        }

        foreach (BenchmarkReport report in reports)
        {
            string name = report.BenchmarkCase.DisplayInfo;
            if (!report.Success)
            {
                Console.Error.WriteLine($"quick run: {name} failed");
                failures++;
                continue;
            }

            long? allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            bool mustNotAllocate = report.BenchmarkCase.Descriptor.WorkloadMethod.Name is nameof(ManifestBenchmarks.Write) or nameof(ManifestBenchmarks.Measure);
            if (mustNotAllocate && allocated != 0)
            {
                // Reported, not failed: one cold in-process invocation can carry the runtime's own
                // one-time costs (a CI run saw 6,336 B once for the 2,000-entry Measure, while three
                // runs before it saw 0). The 0 B promise is enforced by ManifestWriterAllocationTests
                // (after warm-up, and in a child process that stays in tier-0 code) and shown by the
                // full out-of-process run in bench/results.
                Console.Error.WriteLine($"quick run: note: {name} allocated {allocated} B in its single cold invocation (0 B is enforced by ManifestWriterAllocationTests)");
            }
        }

        Console.WriteLine($"quick run: {reports.Length} benchmarks ran, {failures} problems");
        return failures == 0 ? 0 : 1;
    }
}
