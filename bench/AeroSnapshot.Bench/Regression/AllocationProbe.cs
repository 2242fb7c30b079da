using System.Linq.Expressions;
using System.Text.Json;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Running;

namespace AeroSnapshot.Bench.Regression;

/// <summary>
/// The gate's allocation measurement: each CPU-bound case called on this thread, counted with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/>, written to <c>regress-allocations.json</c>
/// next to BenchmarkDotNet's reports (AeroSnapshot.Regress prefers it). BenchmarkDotNet in process
/// counts every thread's allocations (GC.GetTotalAllocatedBytes): the first A/A runs read 16-37 B
/// per operation for the manifest writer, which allocates nothing, and 1 B for the CRC.
/// </summary>
internal static class AllocationProbe
{
    public const string FileName = "regress-allocations.json";

    /// <summary>Probes every case that has no per-iteration set-up (the I/O set is left to BenchmarkDotNet) and writes the file.</summary>
    public static void Write(IEnumerable<BenchmarkCase> cases, string resultsDirectory)
    {
        var results = new List<object>();
        foreach (BenchmarkCase benchmark in cases)
        {
            if (benchmark.Descriptor.IterationSetupMethod is not null)
            {
                continue;
            }

            results.Add(new { FullName = FullNameProvider.GetBenchmarkName(benchmark), BytesAllocatedPerOperation = Measure(benchmark) });
        }

        Directory.CreateDirectory(resultsDirectory);
        File.WriteAllText(Path.Join(resultsDirectory, FileName), JsonSerializer.Serialize(new { Benchmarks = results }));
    }

    /// <summary>Bytes per call after three warm-up calls, over at least 200 ms of calls, rounded up: any allocation reads at least 1 B.</summary>
    private static long Measure(BenchmarkCase benchmark)
    {
        Type type = benchmark.Descriptor.Type;
        object instance = Activator.CreateInstance(type)!;
        foreach (var parameter in benchmark.Parameters.Items)
        {
            type.GetProperty(parameter.Name)?.SetValue(instance, parameter.Value);
        }

        benchmark.Descriptor.GlobalSetupMethod?.Invoke(instance, null);
        try
        {
            // A compiled call that drops the result: MethodInfo.Invoke would box it and allocate itself.
            Action call = Expression.Lambda<Action>(Expression.Call(Expression.Constant(instance), benchmark.Descriptor.WorkloadMethod)).Compile();
            for (int i = 0; i < 3; i++)
            {
                call(); // lazily initialised state, first-call stubs
            }

            long calls = 0;
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            long before = GC.GetAllocatedBytesForCurrentThread();
            do
            {
                call();
                calls++;
            }
            while (System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds < 200);

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return (allocated + calls - 1) / calls;
        }
        finally
        {
            benchmark.Descriptor.GlobalCleanupMethod?.Invoke(instance, null);
        }
    }
}
